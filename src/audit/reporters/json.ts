/** JSON: the DESIGN.md "Audit report contract", field for field. */
import { terminalSafeJson } from './sanitize.js';
import type { Reporter } from './types.js';

/** Exact values; control, bidi and invisible characters as \u escapes (sanitize.ts) so the text is terminal-safe too. */
export const renderJson: Reporter = ({ report }) => terminalSafeJson(
  JSON.stringify(
    {
      tool: report.tool,
      version: report.version,
      target: report.target,
      startedAt: report.startedAt,
      durationMs: report.durationMs,
      ...(report.incomplete ? { incomplete: true, incompleteReason: report.incomplete.reason } : {}),
      checks: report.checks.map((c) => ({ id: c.id, status: c.status, durationMs: c.durationMs, ...(c.reason ? { reason: c.reason } : {}) })),
      findings: report.findings.map((f) => ({
        checkId: f.checkId, title: f.title, severity: f.severity, confidence: f.confidence,
        evidence: f.evidence, remediation: f.remediation, references: f.references,
      })),
    },
    null,
    2,
  ),
);
