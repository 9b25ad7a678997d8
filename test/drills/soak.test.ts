/**
 * CI pass of the soak (`npm run soak -- --minutes N` is the long one): 20 seconds rather than a
 * minute, to keep the drills under three minutes on two cores; the same load, churn and checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak } from './lib/soak.js';

const SECONDS = 20;

test(`soak (${SECONDS} s): publish/subscribe with churn loses, duplicates and reorders nothing`, async (t) => {
  const r = await runSoak({ durationMs: SECONDS * 1000, seed: 42, churnEveryMs: 700 });
  t.diagnostic(`${r.acked} acknowledged (${r.throughputPerSec.toFixed(1)}/s), ${r.delivered} deliveries, p99 ${r.latencyMs.p99} ms, churn ${JSON.stringify(r.churn)}, heap ${(r.memory[0]!.heapUsed / 1048576).toFixed(1)} → ${(r.memory.at(-1)!.heapUsed / 1048576).toFixed(1)} MiB`);
  assert.deepEqual(r.problems, []);
  assert.deepEqual({ lost: r.lost, duplicated: r.duplicated, outOfOrder: r.outOfOrder, ackedNotLogged: r.ackedNotLogged, logGaps: r.logGaps }, { lost: 0, duplicated: 0, outOfOrder: 0, ackedNotLogged: 0, logGaps: 0 });
  assert.ok(r.acked > 0 && r.delivered >= r.acked, 'the load really ran');
  assert.ok(r.churn.drops + r.churn.replacements + r.churn.publisherDrops >= 5, `churn happened: ${JSON.stringify(r.churn)}`);
});
