/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per check (from its metadata), one result per
 * finding with a level, the target URL as the artifact, and a stable partial fingerprint.
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../types.js';
import { terminalSafeJson } from './sanitize.js';
import type { Reporter } from './types.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub's security-severity scale (0.1–10); info findings carry none. */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: undefined };

export const renderSarif: Reporter = ({ report, metas }) => {
  const rules = metas.map((m) => ({
    id: m.id,
    name: m.id.replace(/^WSG-/, '').replace(/-/g, ''),
    shortDescription: { text: m.title.replace(/`/g, '') },
    fullDescription: { text: m.description },
    help: { text: m.remediation, markdown: `**Remediation:** ${m.remediation}\n\n**References:** ${m.references.join('; ')}` },
    defaultConfiguration: { level: LEVEL[m.severity] },
    properties: {
      tags: ['security', 'websocket', m.area.toLowerCase()],
      precision: 'high',
      ...(SECURITY_SEVERITY[m.severity] ? { 'security-severity': SECURITY_SEVERITY[m.severity] } : {}),
    },
  }));
  const index = new Map(metas.map((m, i) => [m.id, i]));
  const results = report.findings.map((f) => ({
    ruleId: f.checkId,
    ...(index.has(f.checkId) ? { ruleIndex: index.get(f.checkId) } : {}),
    level: LEVEL[f.severity],
    message: { text: `${f.title}: ${f.evidence}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: report.target } } }],
    partialFingerprints: { 'wsguardFinding/v1': createHash('sha256').update(`${f.checkId}\n${report.target}\n${f.title}`).digest('hex') },
    properties: { severity: f.severity, confidence: f.confidence, ...(SECURITY_SEVERITY[f.severity] ? { 'security-severity': SECURITY_SEVERITY[f.severity] } : {}) },
  }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'wsguard', version: report.version, semanticVersion: report.version, informationUri: 'https://github.com/wsguard/wsguard', rules } },
        invocations: [{
          executionSuccessful: !report.incomplete && !report.checks.some((c) => c.status === 'error'),
          ...(report.incomplete ? { toolExecutionNotifications: [{ level: 'error', message: { text: `Incomplete audit: ${report.incomplete.reason}` } }] } : {}),
          startTimeUtc: report.startedAt,
          endTimeUtc: new Date(Date.parse(report.startedAt) + report.durationMs).toISOString(),
        }],
        results,
        properties: { target: report.target, ...(report.incomplete ? { incomplete: true, incompleteReason: report.incomplete.reason } : {}), checks: report.checks.map((c) => ({ id: c.id, status: c.status })) },
      },
    ],
  };
  return terminalSafeJson(JSON.stringify(sarif, null, 2));
};
