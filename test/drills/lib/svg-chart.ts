/** A dependency-free SVG line chart (time on x, one or more series on y) for the soak report. */
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [x: number, y: number])[];
}

const W = 720;
const H = 320;
const PAD = { left: 56, right: 16, top: 28, bottom: 40 };

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function lineChart(title: string, xLabel: string, yLabel: string, series: readonly Series[]): string {
  const all = series.flatMap((s) => s.points);
  const maxX = Math.max(1, ...all.map(([x]) => x));
  const maxY = Math.max(1, ...all.map(([, y]) => y)) * 1.1;
  const sx = (x: number) => PAD.left + (x / maxX) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - (y / maxY) * (H - PAD.top - PAD.bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const grid = ticks.map((t) => {
    const y = sy(maxY * t);
    return `<line x1="${PAD.left}" y1="${y}" x2="${W - PAD.right}" y2="${y}" stroke="#ddd"/><text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end" font-size="11">${(maxY * t).toFixed(0)}</text>`;
  });
  const xticks = ticks.map((t) => `<text x="${sx(maxX * t)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11">${(maxX * t).toFixed(0)}</text>`);
  const lines = series.map((s) => `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
  const legend = series.map((s, i) => `<text x="${PAD.left + 10 + i * 160}" y="${PAD.top - 8}" font-size="12" fill="${s.color}">■ ${esc(s.name)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    ...grid,
    ...xticks,
    `<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${H / 2})">${esc(yLabel)}</text>`,
    ...lines,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
