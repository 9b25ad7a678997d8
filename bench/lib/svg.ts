/** One self-contained SVG bar chart per scenario: per system a bar (the median), a min–max whisker and the value. */
import { formatValue } from './table.js';
import type { SystemId } from './types.js';

const COLORS: Record<SystemId, string> = { wsguard: '#2563eb', 'wsguard-ticket': '#60a5fa', ws: '#6b7280', 'socket.io': '#ea580c', 'socket.io-streams': '#fb923c', floor: '#111827' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function barChart(title: string, metric: string, higherIsBetter: boolean, bars: { system: SystemId; value: number; min?: number; max?: number }[]): string {
  const width = 640;
  const left = 130;
  const barMax = 380;
  const rowH = 34;
  const top = 52;
  const height = top + bars.length * rowH + 16;
  const max = Math.max(...bars.map((b) => Math.max(b.value, b.max ?? 0)), 1e-9);
  const x = (v: number) => left + Math.max(1, (v / max) * barMax);
  const rows = bars.map((b, i) => {
    const y = top + i * rowH;
    const w = Math.max(1, (b.value / max) * barMax);
    const whisker =
      b.min !== undefined && b.max !== undefined && b.max > b.min
        ? `<line x1="${x(b.min).toFixed(1)}" x2="${x(b.max).toFixed(1)}" y1="${y + 12}" y2="${y + 12}" stroke="#111827" stroke-width="1.5"/>`
        : '';
    return [
      `<text x="${left - 10}" y="${y + 17}" text-anchor="end">${esc(b.system)}</text>`,
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="24" rx="3" fill="${COLORS[b.system]}"/>`,
      whisker,
      `<text x="${(Math.max(left + w, b.max === undefined ? 0 : x(b.max)) + 8).toFixed(1)}" y="${y + 17}">${esc(formatValue(metric, b.value))}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="14" role="img" aria-label="${esc(title)}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="600">${esc(title)}</text>`,
    `<text x="16" y="42" font-size="12" fill="#4b5563">${esc(`${metric} (${higherIsBetter ? 'higher' : 'lower'} is better)`)}</text>`,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}
