/**
 * `tsx bench/profile.ts FILE.cpuprofile [N] [--by-file] [--from FUNCTION]`: the N functions (or
 * source files) with the most self time in a V8 CPU profile (written by `npm run bench -- --cpu-prof
 * DIR`), as % of samples from the first WebSocket message on (start-up excluded), idle excluded.
 * `--from completeUpgrade` counts from the first upgrade instead: in the handshake scenario the
 * first message parsed can fall in start-up (module loading then shows as workload).
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const byFile = process.argv.includes('--by-file');
const fromAt = process.argv.indexOf('--from');
const from = fromAt > 0 ? process.argv[fromAt + 1] : undefined;
const [file, top = '25'] = process.argv.slice(2).filter((a, i, all) => a !== '--by-file' && a !== '--from' && all[i - 1] !== '--from');
if (!file) {
  console.error('usage: tsx bench/profile.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const underWsReceiver = (id: number | undefined): boolean => {
  for (let i = 0; id !== undefined && i < 200; i++, id = parent.get(id)) {
    const frame = byId.get(id)?.callFrame;
    if (from !== undefined ? frame?.functionName === from : frame?.url.includes('ws/lib/receiver.js')) return true;
  }
  return false;
};
// Start-up (module loading, compiling) is not the workload: count samples from the first
// WebSocket message the server parsed.
const first = profile.samples.findIndex((id) => underWsReceiver(id));
const hitsOf = new Map<number, number>();
for (const id of profile.samples.slice(Math.max(0, first))) hitsOf.set(id, (hitsOf.get(id) ?? 0) + 1);
const self = new Map<string, number>();
let total = 0;
let idle = 0;
for (const n of profile.nodes) {
  const hits = hitsOf.get(n.id) ?? 0;
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
