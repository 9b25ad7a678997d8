/** Counts shared by the reporters. */
import { SEVERITIES, type AuditReport, type CheckStatus, type Severity } from '../types.js';

export function severityCounts(report: AuditReport): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of report.findings) counts[f.severity]++;
  return counts;
}

export function statusCounts(report: AuditReport): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, error: 0, skipped: 0 };
  for (const c of report.checks) counts[c.status]++;
  return counts;
}

/** "3 findings (1 high, 2 low) · 19 checks: 15 pass, 3 fail, 1 skipped · 1.2 s" */
export function summaryLine(report: AuditReport): string {
  const sev = severityCounts(report);
  const bySev = [...SEVERITIES].reverse().filter((s) => sev[s] > 0).map((s) => `${sev[s]} ${s}`).join(', ');
  const st = statusCounts(report);
  const byStatus = (Object.keys(st) as CheckStatus[]).filter((k) => st[k] > 0).map((k) => `${st[k]} ${k}`).join(', ');
  const n = report.findings.length;
  const partial = report.incomplete ? ` · INCOMPLETE (${report.incomplete.reason})` : '';
  return `${n} finding${n === 1 ? '' : 's'}${n ? ` (${bySev})` : ''} · ${report.checks.length} checks: ${byStatus || 'none'} · ${(report.durationMs / 1000).toFixed(1)} s${partial}`;
}
