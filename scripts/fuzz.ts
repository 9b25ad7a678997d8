/**
 * Frame-level fuzzer: `npm run fuzz -- --count N [--seed S] [--concurrency C]`.
 * Starts a hub in a child process, fuzzes it over raw sockets (test/drills/lib/frame-fuzz.ts)
 * and prints the seed first, so any failure reproduces with `--seed S`. Exit 1 on any failure.
 */
import { parseArgs } from 'node:util';
import { randomInt } from 'node:crypto';
import { startHubProcess } from '../test/drills/lib/hub-process.js';
import { runFrameFuzz } from '../test/drills/lib/frame-fuzz.js';
import { FUZZ_GUARD, FUZZ_LIMITS, HEAP_GROWTH_BOUND } from '../test/drills/lib/fuzz-config.js';

const { values } = parseArgs({ options: { count: { type: 'string' }, seed: { type: 'string' }, concurrency: { type: 'string' } }, strict: true });
const count = Number(values.count ?? 2000);
const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
const concurrency = Number(values.concurrency ?? 8);
if (![count, seed, concurrency].every((n) => Number.isInteger(n) && n >= 0) || count === 0 || concurrency === 0) {
  console.error('usage: npm run fuzz -- --count N [--seed S] [--concurrency C]   (positive integers)');
  process.exit(2);
}
console.log(`fuzz: seed ${seed}, ${count} cases (reproduce: npm run fuzz -- --count ${count} --seed ${seed})`);

const hub = await startHubProcess({ guard: FUZZ_GUARD });
let failed = true;
try {
  const token = await hub.token('fuzzer', { subscribe: ['files:fuzz'], publish: [] }, 3600);
  const started = Date.now();
  const report = await runFrameFuzz({ wsUrl: hub.wsUrl, token, count, seed, concurrency, limits: FUZZ_LIMITS, memory: hub.memory, log: (l) => console.log(l) });
  for (const [k, n] of Object.entries(report.outcomes).sort()) console.log(`  ${String(n).padStart(6)}  ${k}`);
  const growth = (report.heapAfter ?? 0) - (report.heapBefore ?? 0);
  console.log(`hub heap: ${mib(report.heapBefore)} → ${mib(report.heapAfter)} MiB (growth ${mib(growth)} MiB, bound ${mib(HEAP_GROWTH_BOUND)}); ${report.livenessChecks} liveness checks; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const f of report.failures.slice(0, 30)) console.log(`FAIL case ${f.index} [${f.label}] ${f.problem}${f.input ? ` input ${f.input}` : ''}`);
  if (growth > HEAP_GROWTH_BOUND) console.log('FAIL hub heap grew past the bound');
  failed = report.failures.length > 0 || growth > HEAP_GROWTH_BOUND || !hub.alive();
  console.log(failed ? `fuzz: FAILED (seed ${seed})` : `fuzz: ok (seed ${seed})`);
} finally {
  await hub.stop();
}
process.exit(failed ? 1 : 0);

function mib(n: number | undefined): string {
  return ((n ?? 0) / 1048576).toFixed(1);
}
