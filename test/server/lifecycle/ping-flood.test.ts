/** Ping floods: control-frame pings past the connection's budget are not answered, and are a violation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mintToken, rawConnect, startGuard, waitFor } from '../helpers.js';

test('a ping flood is cut: pongs stop at the budget, a ping_flood security event and metric, then 1008', async (t) => {
  const h = await startGuard({ messageRate: { perSec: 0.01, burst: 5 }, violations: { threshold: 5, windowMs: 60_000 } });
  t.after(() => h.close());
  const c = await rawConnect(h.port, { headers: { Authorization: `Bearer ${await mintToken()}` } });
  assert.equal(c.status, 101);
  for (let i = 0; i < 200; i++) c.send(0x9, `p${i}`);
  await waitFor(() => c.closeCode() !== undefined, 5000, 'close frame');
  assert.equal(c.closeCode(), 1008);
  const pongs = c.frames.filter((f) => f.opcode === 0xa).length;
  assert.ok(pongs <= 5, `pongs: ${pongs}`);
  assert.ok(h.events.some((e) => e.kind === 'violation' && e.reason === 'ping_flood'));
  assert.ok(h.events.some((e) => e.kind === 'violations_exceeded' && e.reason === 'ping_flood'));
  const metrics = await h.guard.registry.metrics();
  assert.match(metrics, /wsguard_violations_total\{reason="ping_flood"\} [1-9]/);
  c.socket.destroy();
});

test('pings within the budget are answered with the same payload', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const c = await rawConnect(h.port, { headers: { Authorization: `Bearer ${await mintToken()}` } });
  for (let i = 0; i < 3; i++) c.send(0x9, `hello-${i}`);
  await waitFor(() => c.frames.filter((f) => f.opcode === 0xa).length === 3, 5000, 'pongs');
  assert.deepEqual(c.frames.filter((f) => f.opcode === 0xa).map((f) => f.payload.toString()), ['hello-0', 'hello-1', 'hello-2']);
  assert.ok(!h.events.some((e) => e.kind === 'violation'));
  c.socket.destroy();
});
