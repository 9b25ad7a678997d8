/**
 * `wsguard lint` output: text (grouped by file), json (the LintReport), and SARIF 2.1.0 for
 * GitHub code scanning, following the auditor's SARIF conventions (levels, security-severity).
 */
import { createHash } from 'node:crypto';
import { SEVERITIES, type Severity } from '../audit/types.js';
import { PLUGIN_NAME, rules } from './index.js';
import type { LintReport } from './run.js';

export const LINT_FORMATS = ['text', 'json', 'sarif'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
const SECURITY_SEVERITY: Record<Severity, string | undefined> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: undefined };

export function summary(report: LintReport): string {
  const counts = [...SEVERITIES].reverse().map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const by = counts.length ? ` (${counts.map(([s, n]) => `${n} ${s}`).join(', ')})` : '';
  const files = new Set(report.findings.map((f) => f.file)).size;
  const errors = report.errors.length ? ` · ${report.errors.length} file${report.errors.length === 1 ? '' : 's'} could not be parsed` : '';
  const missing = report.missing.length ? ` · ${report.missing.length} path${report.missing.length === 1 ? '' : 's'} not found` : '';
  return `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}${by} in ${files} of ${report.files} file${report.files === 1 ? '' : 's'}${errors}${missing}`;
}

export function renderLintText(report: LintReport): string {
  const out: string[] = [];
  let file = '';
  for (const f of report.findings) {
    if (f.file !== file) {
      if (file) out.push('');
      out.push(f.file);
      file = f.file;
    }
    const ids = [...f.checks, f.cwe].join(', ');
    out.push(`  ${`${f.line}:${f.column}`.padEnd(8)} ${f.severity.padEnd(7)} ${f.message}  ${f.rule}${ids ? ` (${ids})` : ''}`);
  }
  if (report.errors.length) {
    if (out.length) out.push('');
    out.push('Could not parse:');
    for (const e of report.errors) out.push(`  ${e.file}:${e.line} ${e.message}`);
  }
  if (report.missing.length) {
    if (out.length) out.push('');
    out.push('No such file or directory:');
    for (const p of report.missing) out.push(`  ${p}`);
  }
  if (out.length) out.push('');
  out.push(summary(report));
  return out.join('\n');
}

export function renderLintJson(report: LintReport): string {
  return JSON.stringify(report, null, 2);
}

export function renderLintSarif(report: LintReport): string {
  const names = Object.keys(rules);
  const sarifRules = names.map((name) => {
    const d = rules[name]!.meta.docs;
    return {
      id: `${PLUGIN_NAME}/${name}`,
      name: name.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(''),
      shortDescription: { text: d.description.replace(/`/g, '').slice(0, 1024) },
      fullDescription: { text: d.details.replace(/`/g, '') },
      helpUri: d.url,
      help: { text: d.fix, markdown: `**Fix:** ${d.fix}\n\n**Mirrors:** ${d.checks.join(', ') || 'no audit check'} · ${d.cwe}\n\n[Rule documentation](${d.url})` },
      defaultConfiguration: { level: LEVEL[d.severity] },
      properties: {
        tags: ['security', 'websocket', 'external/cwe/' + d.cwe.toLowerCase()],
        precision: 'medium',
        ...(SECURITY_SEVERITY[d.severity] ? { 'security-severity': SECURITY_SEVERITY[d.severity] } : {}),
      },
    };
  });
  const index = new Map(names.map((n, i) => [`${PLUGIN_NAME}/${n}`, i]));
  const results = report.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule) ?? -1,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
        region: { startLine: f.line, startColumn: f.column, ...(f.endLine ? { endLine: f.endLine, endColumn: f.endColumn } : {}) },
      },
    }],
    // Stable across unrelated edits that shift lines: rule, file and the flagged line's text.
    partialFingerprints: { 'wsguardLint/v1': createHash('sha256').update(`${f.rule}\n${f.file}\n${f.source ?? f.line}`).digest('hex') },
    properties: { severity: f.severity, checks: f.checks, cwe: f.cwe, ...(SECURITY_SEVERITY[f.severity] ? { 'security-severity': SECURITY_SEVERITY[f.severity] } : {}) },
  }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'wsguard-lint', version: report.version, semanticVersion: report.version, informationUri: 'https://github.com/wsguard/wsguard/blob/main/docs/lint.md', rules: sarifRules } },
      invocations: [{
        executionSuccessful: report.errors.length === 0 && report.missing.length === 0,
        toolExecutionNotifications: [
          ...report.errors.map((e) => ({
            level: 'error' as const,
            message: { text: `could not parse: ${e.message}` },
            locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(e.file), uriBaseId: '%SRCROOT%' }, ...(e.line > 0 ? { region: { startLine: e.line } } : {}) } }],
          })),
          ...report.missing.map((p) => ({ level: 'error' as const, message: { text: `no such file or directory: ${p}` } })),
        ],
      }],
      columnKind: 'utf16CodeUnits' as const,
      results,
      properties: { files: report.files },
    }],
  };
  return JSON.stringify(sarif, null, 2);
}

export const LINT_REPORTERS: Record<LintFormat, (r: LintReport) => string> = { text: renderLintText, json: renderLintJson, sarif: renderLintSarif };
