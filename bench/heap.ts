/**
 * `tsx bench/heap.ts A.heapsnapshot [N]`: self size by constructor in a V8 heap snapshot (written
 * by `npm run bench -- --only idle --heap-snapshot DIR`), as bytes per connection when N
 * connections were open: what an idle connection keeps alive.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

const [file, perArg = '1'] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/heap.ts FILE.heapsnapshot [connections]');
  process.exit(2);
}
const per = Number(perArg);
const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const [T, N, S] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
const bySize = new Map<string, { size: number; count: number }>();
for (let i = 0; i < snap.nodes.length; i += fields.length) {
  const type = types[snap.nodes[i + T]!]!;
  const name = type === 'object' || type === 'closure' || type === 'native' ? snap.strings[snap.nodes[i + N]!]! : `(${type})`;
  const key = `${type === 'closure' ? 'closure ' : ''}${name}`.slice(0, 80);
  const e = bySize.get(key) ?? { size: 0, count: 0 };
  e.size += snap.nodes[i + S]!;
  e.count++;
  bySize.set(key, e);
}
const rows = [...bySize].sort((a, b) => b[1].size - a[1].size).slice(0, 30);
for (const [key, { size, count }] of rows) {
  console.log(`${(size / per).toFixed(0).padStart(8)} B  ${(count / per).toFixed(2).padStart(7)}×  ${key}`);
}
