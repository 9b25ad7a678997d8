/**
 * Text: findings grouped by severity (evidence, remediation), then every non-passing check, then
 * one summary line. Every value passes through displaySafe: this goes to a terminal, and most of
 * it came from the target.
 */
import { SEVERITIES, type Severity } from '../types.js';
import { displaySafe } from './sanitize.js';
import { summaryLine } from './summary.js';
import type { Reporter } from './types.js';

const COLORS: Record<Severity, string> = { critical: '\x1b[1;35m', high: '\x1b[1;31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };
const RESET = '\x1b[0m';

function indent(text: string, pad = '    '): string {
  return text.split('\n').map((l) => pad + l).join('\n');
}

/** One-line field. */
const one = (s: unknown) => displaySafe(s, { max: 500 });
/** Multi-line field (evidence, remediation): runs of blank lines collapsed and at most MAX_LINES
 * lines, so a target's line feeds cannot push a finding off the screen or fake report lines. */
const MAX_LINES = 40;
const block = (s: unknown) => {
  const lines = displaySafe(s, { multiline: true }).split('\n').filter((l, i, all) => l.trim() !== '' || (i > 0 && all[i - 1]!.trim() !== ''));
  return lines.length <= MAX_LINES ? lines.join('\n') : [...lines.slice(0, MAX_LINES), `…[cut: ${lines.length - MAX_LINES} more lines]`].join('\n');
};

export const renderText: Reporter = ({ report, color }) => {
  const paint = (sev: Severity, s: string) => (color ? `${COLORS[sev]}${s}${RESET}` : s);
  const out: string[] = [`wsguard audit ${one(report.target)}`, ''];
  if (report.incomplete) out.push(`INCOMPLETE: ${one(report.incomplete.reason)}; the findings below cover only the checks evaluated before it.`, '');
  for (const sev of [...SEVERITIES].reverse()) {
    const list = report.findings.filter((f) => f.severity === sev);
    if (!list.length) continue;
    out.push(paint(sev, `${sev.toUpperCase()} (${list.length})`));
    for (const f of list) {
      out.push(`  ${one(f.checkId)} ${one(f.title)} [${one(f.confidence)}]`);
      out.push('    evidence:', indent(block(f.evidence), '      '));
      out.push('    fix:', indent(block(f.remediation), '      '));
      out.push('');
    }
  }
  if (!report.findings.length) out.push('No findings.', '');
  const notRun = report.checks.filter((c) => c.status === 'skipped' || c.status === 'error');
  if (notRun.length) {
    out.push('Not evaluated:');
    for (const c of notRun) out.push(`  ${one(c.id)} ${c.status}${c.reason ? `: ${one(c.reason)}` : ''}`);
    out.push('');
  }
  out.push(summaryLine(report));
  return out.join('\n');
};
