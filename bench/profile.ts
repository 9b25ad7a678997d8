/**
 * `tsx bench/profile.ts FILE.cpuprofile [N] [--by-file]`: the N functions (or source files) with
 * the most self time in a V8 CPU profile (written by `npm run bench -- --cpu-prof DIR`), as % of
 * samples, idle excluded.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const byFile = process.argv.includes('--by-file');
const [file, top = '25'] = process.argv.slice(2).filter((a) => a !== '--by-file');
if (!file) {
  console.error('usage: tsx bench/profile.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[] };
const self = new Map<string, number>();
let total = 0;
let idle = 0;
for (const n of profile.nodes) {
  const hits = n.hitCount ?? 0;
  const { functionName, url, lineNumber } = n.callFrame;
  if (functionName === '(idle)') idle += hits;
  if (functionName === '(idle)' || functionName === '(program)' || hits === 0) continue;
  const where = url ? `${url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${lineNumber + 1}` : '';
  const key = byFile ? where.replace(/:\d+$/, '') || functionName : `${functionName || '(anonymous)'} ${where}`;
  self.set(key, (self.get(key) ?? 0) + hits);
  total += hits;
}
console.log(`busy samples: ${total}, idle: ${idle} (${((idle / (idle + total)) * 100).toFixed(0)}% idle)`);
for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  console.log(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}
