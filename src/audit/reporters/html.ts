/**
 * HTML: one self-contained page (inline CSS and SVG, no scripts, no external assets), every
 * value escaped and shown safely (sanitize.ts). Summary with counts by severity as a bar chart, findings, every check's status.
 */
import { SEVERITIES, type Severity } from '../types.js';
import { escapeXml } from './escape.js';
import { displaySafe } from './sanitize.js';
import { severityCounts, summaryLine } from './summary.js';
import type { Reporter } from './types.js';

/** Escaped for HTML, and shown safely: control, bidi and invisible characters from the target made visible. */
const e = (s: string) => escapeXml(displaySafe(s, { multiline: true }));

const COLOR: Record<Severity, string> = { critical: '#7b1fa2', high: '#c62828', medium: '#ef6c00', low: '#0277bd', info: '#607d8b' };

const CSS = `
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 10px}
.muted{color:#5b6474} .card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:14px 16px;margin:10px 0}
.sev{display:inline-block;min-width:64px;text-align:center;color:#fff;border-radius:4px;padding:1px 6px;font-size:12px;font-weight:600;text-transform:uppercase}
pre{white-space:pre-wrap;word-break:break-word;background:#f0f2f5;border-radius:6px;padding:8px 10px;margin:6px 0;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace}
table{border-collapse:collapse;width:100%;background:#fff} td,th{border-bottom:1px solid #e4e7eb;padding:6px 8px;text-align:left;vertical-align:top;font-size:14px}
.label{font-weight:600;margin-top:8px} p{margin:4px 0 8px}
.st-pass{color:#2e7d32}.st-fail{color:#c62828;font-weight:600}.st-error{color:#7b1fa2}.st-skipped{color:#5b6474}
`;

function chart(counts: Record<Severity, number>): string {
  const order = [...SEVERITIES].reverse();
  const max = Math.max(1, ...order.map((s) => counts[s]));
  const rowH = 24;
  const bars = order.map((s, i) => {
    const w = Math.round((counts[s] / max) * 300);
    const y = i * rowH;
    return `<text x="0" y="${y + 16}" font-size="13" fill="#1d2330">${s}</text><rect x="80" y="${y + 4}" width="${w}" height="16" rx="3" fill="${COLOR[s]}"/><text x="${86 + w}" y="${y + 16}" font-size="13" fill="#1d2330">${counts[s]}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="420" height="${order.length * rowH}" role="img" aria-label="findings by severity">${bars.join('')}</svg>`;
}

export const renderHtml: Reporter = ({ report, metas }) => {
  const meta = new Map(metas.map((m) => [m.id, m]));
  const counts = severityCounts(report);
  const findings = report.findings.map((f) => `
<div class="card finding"><span class="sev" style="background:${COLOR[f.severity]}">${e(f.severity)}</span> <strong>${e(f.checkId)}</strong> ${e(f.title)} <span class="muted">(${e(f.confidence)})</span>
<div class="label">Evidence</div><pre>${e(f.evidence)}</pre>
<div class="label">Remediation</div><p>${e(f.remediation)}</p>
<div class="muted">References: ${e(f.references.join('; '))}</div></div>`).join('');
  const rows = report.checks.map((c) => {
    const m = meta.get(c.id);
    return `<tr><td>${e(c.id)}</td><td>${e(m?.title ?? '')}</td><td>${e(m?.severity ?? '')}</td><td class="st-${e(c.status)}">${e(c.status)}</td><td>${c.durationMs} ms</td><td class="muted">${e(c.reason ?? '')}</td></tr>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>wsguard audit — ${e(report.target)}</title><style>${CSS}</style></head>
<body><main>
<h1>wsguard audit</h1>
<div class="muted">${e(report.target)} · started ${e(report.startedAt)} · wsguard ${e(report.version)}</div>
${report.incomplete ? `<div class="card" id="incomplete" style="border-color:#c62828"><strong>Incomplete audit:</strong> ${e(report.incomplete.reason)}. Only the checks evaluated before it are reported.</div>` : ''}
<h2>Summary</h2>
<div class="card"><p id="summary">${e(summaryLine(report))}</p>${chart(counts)}</div>
<h2>Findings</h2>
${findings || '<p>No findings.</p>'}
<h2>Checks</h2>
<table><thead><tr><th>Check</th><th>Title</th><th>Severity</th><th>Status</th><th>Time</th><th>Note</th></tr></thead><tbody>
${rows}
</tbody></table>
</main></body></html>
`;
};
