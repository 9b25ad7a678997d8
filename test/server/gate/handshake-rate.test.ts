import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handshakeStatus, mintToken, startGuard } from '../helpers.js';

test('handshake-rate: a burst past the per-IP bucket gets 429 with Retry-After', async (t) => {
  const h = await startGuard({ handshakeRate: { perSec: 0.1, burst: 3 } });
  t.after(() => h.close());
  const token = await mintToken();
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push(await handshakeStatus(h, { token }));
  assert.deepEqual(statuses.slice(0, 3), [101, 101, 101]);
  assert.deepEqual(statuses.slice(3), [429, 429, 429]);
  assert.ok(h.events.some((e) => e.kind === 'handshake_refused' && e.reason === 'handshake_rate' && e.status === 429));
  const metrics = await h.guard.metrics.registry.getSingleMetricAsString('wsguard_handshakes_total');
  assert.match(metrics, /outcome="handshake_rate"} 3/);
});
