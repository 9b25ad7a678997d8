/** Text: findings grouped by severity (evidence, remediation), then every non-passing check, then one summary line. */
import { SEVERITIES, type Severity } from '../types.js';
import { summaryLine } from './summary.js';
import type { Reporter } from './types.js';

const COLORS: Record<Severity, string> = { critical: '\x1b[1;35m', high: '\x1b[1;31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };
const RESET = '\x1b[0m';

function indent(text: string, pad = '    '): string {
  return text.split('\n').map((l) => pad + l).join('\n');
}

export const renderText: Reporter = ({ report, color }) => {
  const paint = (sev: Severity, s: string) => (color ? `${COLORS[sev]}${s}${RESET}` : s);
  const out: string[] = [`wsguard audit ${report.target}`, ''];
  if (report.incomplete) out.push(`INCOMPLETE: ${report.incomplete.reason}; the findings below cover only the checks evaluated before it.`, '');
  for (const sev of [...SEVERITIES].reverse()) {
    const list = report.findings.filter((f) => f.severity === sev);
    if (!list.length) continue;
    out.push(paint(sev, `${sev.toUpperCase()} (${list.length})`));
    for (const f of list) {
      out.push(`  ${f.checkId} ${f.title} [${f.confidence}]`);
      out.push('    evidence:', indent(f.evidence, '      '));
      out.push('    fix:', indent(f.remediation, '      '));
      out.push('');
    }
  }
  if (!report.findings.length) out.push('No findings.', '');
  const notRun = report.checks.filter((c) => c.status === 'skipped' || c.status === 'error');
  if (notRun.length) {
    out.push('Not evaluated:');
    for (const c of notRun) out.push(`  ${c.id} ${c.status}${c.reason ? `: ${c.reason}` : ''}`);
    out.push('');
  }
  out.push(summaryLine(report));
  return out.join('\n');
};
