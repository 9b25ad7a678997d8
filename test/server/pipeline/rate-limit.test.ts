import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, connect, mintToken, startGuard, waitClose } from '../helpers.js';

test('rate-limit: a flood gets rate_limited errors, then close 1008 rate_limited', async (t) => {
  const h = await startGuard({ messageRate: { perSec: 0.01, burst: 5 }, violations: { threshold: 5, windowMs: 60_000 } });
  t.after(() => h.close());
  const ws = await connect(h, { token: await mintToken() });
  const got = collect(ws);
  const closed = waitClose(ws);
  for (let i = 0; i < 200; i++) ws.send(JSON.stringify({ type: 'ping', id: `p${i}` }));
  const { code, reason } = await closed;
  assert.equal(code, 1008);
  assert.equal(reason, 'rate_limited');
  // Never more than the burst is served; the rest is refused (bucket or full queue), then the socket closes.
  assert.ok(got.filter((m) => m.type === 'pong').length <= 5);
  const limited = got.filter((m) => m.type === 'error' && m.payload.code === 'rate_limited').length;
  assert.ok(limited >= 1 && limited <= 6, `rate_limited errors: ${limited}`);
  assert.ok(h.events.some((e) => e.kind === 'violations_exceeded'));
});

test('rate-limit: a client within its budget is never limited', async (t) => {
  const h = await startGuard({ messageRate: { perSec: 1, burst: 10 } });
  t.after(() => h.close());
  const ws = await connect(h, { token: await mintToken() });
  const got = collect(ws);
  for (let i = 0; i < 10; i++) ws.send(JSON.stringify({ type: 'ping' }));
  const { waitFor } = await import('../helpers.js');
  await waitFor(() => got.length === 10, 5000, 'pongs');
  assert.ok(got.every((m) => m.type === 'pong'));
  ws.close();
});
