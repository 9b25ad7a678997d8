/**
 * Soak: `npm run soak -- --minutes N [--out DIR] [--seed S]`. Steady publish/subscribe load with
 * connection churn through the client SDK (test/drills/lib/soak.ts). Writes DIR/soak.svg (hub
 * memory over time) and DIR/soak.json; exit 1 when any event is lost, duplicated or out of order.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runSoak, type SoakReport } from '../test/drills/lib/soak.js';
import { lineChart } from '../test/drills/lib/svg-chart.js';

const { values } = parseArgs({ options: { minutes: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } }, strict: true });
const minutes = Number(values.minutes ?? 1);
const seed = Number(values.seed ?? 1);
if (!(minutes > 0 && minutes <= 24 * 60) || !Number.isInteger(seed)) {
  console.error('usage: npm run soak -- --minutes N [--out DIR] [--seed S]   (N > 0, fractions allowed)');
  process.exit(2);
}
const out = values.out ?? 'docs/reliability';
console.log(`soak: ${minutes} min, seed ${seed}, results in ${out}/`);
const report = await runSoak({ durationMs: Math.round(minutes * 60_000), seed, log: (l) => console.log(l) });
writeResults(out, report, minutes);
console.log(summary(report));
for (const p of report.problems.slice(0, 20)) console.log(`  ${p}`);
process.exit(report.lost + report.duplicated + report.outOfOrder + report.ackedNotLogged + report.logGaps === 0 ? 0 : 1);

export function summary(r: SoakReport): string {
  const mib = (n: number) => (n / 1048576).toFixed(1);
  const first = r.memory[0];
  const last = r.memory.at(-1);
  return [
    `soak: ${(r.durationMs / 1000).toFixed(0)} s; ${r.published} publishes, ${r.acked} acknowledged (${r.throughputPerSec.toFixed(1)}/s), ${r.publishFailures} cut mid-publish`,
    `  ${r.delivered} deliveries (${r.deliveriesPerSec.toFixed(0)}/s); latency p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`,
    `  churn: ${r.churn.drops} subscriber sockets cut, ${r.churn.replacements} subscribers replaced, ${r.churn.publisherDrops} publisher sockets cut, ${r.churn.reconnects} SDK reconnects`,
    `  hub heap ${mib(first?.heapUsed ?? 0)} → ${mib(last?.heapUsed ?? 0)} MiB, rss ${mib(first?.rss ?? 0)} → ${mib(last?.rss ?? 0)} MiB`,
    `  lost ${r.lost}, duplicated ${r.duplicated}, out of order ${r.outOfOrder}, acknowledged but not logged ${r.ackedNotLogged}, log gaps ${r.logGaps}`,
  ].join('\n');
}

function writeResults(dir: string, r: SoakReport, minutes: number): void {
  mkdirSync(dir, { recursive: true });
  const useMinutes = minutes >= 5;
  const t = (s: number) => (useMinutes ? s / 60 : s);
  const svg = lineChart(`wsguard soak: hub memory over ${minutes} min`, useMinutes ? 'minutes' : 'seconds', 'MiB', [
    { name: 'heap used (after GC)', color: '#1f77b4', points: r.memory.map((m) => [t(m.t), m.heapUsed / 1048576] as const) },
    { name: 'rss', color: '#d62728', points: r.memory.map((m) => [t(m.t), m.rss / 1048576] as const) },
  ]);
  writeFileSync(join(dir, 'soak.svg'), svg);
  writeFileSync(join(dir, 'soak.json'), `${JSON.stringify(r, null, 2)}\n`);
}
