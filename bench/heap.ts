/**
 * `tsx bench/heap.ts A.heapsnapshot [N] [--vs B.heapsnapshot]`: self size by constructor in a V8
 * heap snapshot (written by `npm run bench -- --only idle --heap-snapshot DIR`), as bytes per
 * connection when N connections were open: what an idle connection keeps alive. With `--vs`, the
 * difference A − B per constructor (e.g. wsguard against ws with the same N): what wsguard adds.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

const args = process.argv.slice(2);
const vsAt = args.indexOf('--vs');
const vs = vsAt >= 0 ? args.splice(vsAt, 2)[1] : undefined;
const [file, perArg = '1'] = args;
if (!file || (vsAt >= 0 && !vs)) {
  console.error('usage: tsx bench/heap.ts FILE.heapsnapshot [connections] [--vs OTHER.heapsnapshot]');
  process.exit(2);
}
const per = Number(perArg);

function bySize(path: string): Map<string, { size: number; count: number }> {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [T, N, S] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + T]!]!;
    const name = type === 'object' || type === 'closure' || type === 'native' || type === 'object shape' ? snap.strings[snap.nodes[i + N]!]! : `(${type})`;
    const key = `${type === 'closure' ? 'closure ' : ''}${name}`.slice(0, 80);
    const e = out.get(key) ?? { size: 0, count: 0 };
    e.size += snap.nodes[i + S]!;
    e.count++;
    out.set(key, e);
  }
  return out;
}

const a = bySize(file);
const b = vs ? bySize(vs) : new Map<string, { size: number; count: number }>();
const rows = [...new Set([...a.keys(), ...b.keys()])].map((key) => {
  const x = a.get(key) ?? { size: 0, count: 0 };
  const y = b.get(key) ?? { size: 0, count: 0 };
  return { key, size: x.size - y.size, count: x.count - y.count };
});
rows.sort((p, q) => Math.abs(q.size) - Math.abs(p.size));
for (const { key, size, count } of rows.slice(0, 30)) {
  console.log(`${(size / per).toFixed(0).padStart(8)} B  ${(count / per).toFixed(2).padStart(7)}×  ${key}`);
}
