import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, connect, mintToken, startGuard, waitClose } from '../helpers.js';

test('violations: past the threshold the connection closes with 1008 too_many_violations', async (t) => {
  const h = await startGuard({ violations: { threshold: 3, windowMs: 60_000 } });
  t.after(() => h.close());
  const ws = await connect(h, { token: await mintToken() });
  const got = collect(ws);
  const closed = waitClose(ws);
  for (let i = 0; i < 10; i++) ws.send(`{"type":"nope${i}"}`);
  const { code, reason } = await closed;
  assert.deepEqual([code, reason], [1008, 'too_many_violations']);
  assert.equal(got.length, 4); // three tolerated, the fourth closes
  const metrics = await h.guard.metrics.registry.getSingleMetricAsString('wsguard_violations_total');
  assert.match(metrics, /reason="unknown_type"} 4/);
});
