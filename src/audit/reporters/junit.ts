/** JUnit XML: one testcase per check; failure per finding, skipped for skipped, error for errored. */
import { escapeXml as x } from './escape.js';
import { statusCounts } from './summary.js';
import type { Reporter } from './types.js';

export const renderJunit: Reporter = ({ report, metas }) => {
  const meta = new Map(metas.map((m) => [m.id, m]));
  const st = statusCounts(report);
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const cases = report.checks.map((c) => {
    const m = meta.get(c.id);
    const open = `    <testcase classname="wsguard.${x(m?.area ?? c.id.split('-')[1] ?? 'check')}" name="${x(`${c.id} ${m?.title ?? ''}`.trim())}" time="${secs(c.durationMs)}"`;
    const findings = report.findings.filter((f) => f.checkId === c.id);
    const body: string[] = [];
    for (const f of findings) body.push(`      <failure type="${x(f.severity)}" message="${x(`${f.severity} (${f.confidence}): ${f.title}`)}">${x(`${f.evidence}\n\nConfidence: ${f.confidence}\nRemediation: ${f.remediation}`)}</failure>`);
    if (c.status === 'skipped') body.push(`      <skipped message="${x(c.reason ?? 'skipped')}"/>`);
    if (c.status === 'error') body.push(`      <error message="${x(c.reason ?? 'error')}"/>`);
    return body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`;
  });
  const attrs = `tests="${report.checks.length}" failures="${st.fail}" errors="${st.error}" skipped="${st.skipped}" time="${secs(report.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="wsguard audit" ${attrs}>`,
    `  <testsuite name="${x(`wsguard audit ${report.target}`)}" ${attrs} timestamp="${x(report.startedAt)}">`,
    ...(report.incomplete ? [`    <properties>\n      <property name="incomplete" value="${x(report.incomplete.reason)}"/>\n    </properties>`] : []),
    ...cases,
    ...(report.incomplete ? [`    <system-err>${x(`Incomplete audit: ${report.incomplete.reason}`)}</system-err>`] : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
};
