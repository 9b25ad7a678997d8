import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, connect, mintToken, nextMessage, request, sleep, startGuard, waitClose, waitFor } from '../helpers.js';

const inSec = (s: number) => Math.floor(Date.now() / 1000) + s;

test('expiry: session.expiring before exp, then close 1008 token_expired', async (t) => {
  const h = await startGuard({ expiringNoticeMs: 1000 });
  t.after(() => h.close());
  const exp = inSec(3); // the notice comes 1 s before exp, well after the client listens
  const ws = await connect(h, { token: await mintToken({ exp }) });
  const got = collect(ws);
  assert.deepEqual(await waitClose(ws), { code: 1008, reason: 'token_expired' });
  assert.deepEqual(got, [{ type: 'session.expiring', payload: { exp } }]);
  assert.ok(h.events.some((e) => e.kind === 'auth_expired'));
});

test('expiry: auth.refresh with a valid token for the same sub extends the session', async (t) => {
  const h = await startGuard({ expiringNoticeMs: 1000 });
  t.after(() => h.close());
  const ws = await connect(h, { token: await mintToken({ sub: 'r', exp: inSec(3) }) });
  assert.equal((await nextMessage(ws)).type, 'session.expiring');
  assert.equal((await request(ws, { type: 'auth.refresh', payload: { token: await mintToken({ sub: 'r', exp: inSec(60) }) } })).type, 'ack');
  await sleep(3000);
  assert.equal(ws.readyState, ws.OPEN);
  assert.equal((await request(ws, { type: 'ping' })).type, 'pong');
  ws.close();
});

test('expiry: a refresh token for another sub, expired or forged is refused and the session still ends', async (t) => {
  const h = await startGuard({ expiringNoticeMs: 1000 });
  t.after(() => h.close());
  const ws = await connect(h, { token: await mintToken({ sub: 'r', exp: inSec(3) }) });
  const got = collect(ws);
  const closed = waitClose(ws);
  const tokens = { 'other-sub': await mintToken({ sub: 'someone-else', exp: inSec(60) }), expired: await mintToken({ sub: 'r', exp: inSec(-120) }), forged: 'a.b.c' };
  for (const [label, token] of Object.entries(tokens)) {
    // Matched by id: the session.expiring notice may arrive between a request and its answer.
    const id = `refresh-${label}`;
    ws.send(JSON.stringify({ type: 'auth.refresh', id, payload: { token } }));
    await waitFor(() => got.some((m) => 'id' in m && m.id === id), 5_000, `the answer to ${id}`);
    const r = got.find((m) => 'id' in m && m.id === id)!;
    assert.equal(r.type === 'error' && r.payload.code, 'invalid_token', `${label}: ${JSON.stringify(r)}`);
  }
  assert.deepEqual(await closed, { code: 1008, reason: 'token_expired' });
  assert.ok(got.some((m) => m.type === 'session.expiring'), 'the notice still came');
});

test('expiry: connections share one deadline queue; each expires in turn, a closed one leaves nothing behind', async (t) => {
  const h = await startGuard({ expiringNoticeMs: 500 });
  t.after(() => h.close());
  const later = await connect(h, { token: await mintToken({ sub: 'later', exp: inSec(3) }) });
  const sooner = await connect(h, { token: await mintToken({ sub: 'sooner', exp: inSec(2) }) });
  const gone = await connect(h, { token: await mintToken({ sub: 'gone', exp: inSec(2) }) });
  await waitFor(() => h.guard.deadlines.size === 3, 5_000, 'three deadlines queued');
  const order: string[] = [];
  const closes = [
    waitClose(later).then((c) => (order.push('later'), c)),
    waitClose(sooner).then((c) => (order.push('sooner'), c)),
  ];
  // Closed by the client before its deadline: its entry leaves the queue, nothing fires for it.
  gone.close();
  await waitFor(() => h.guard.deadlines.size === 2, 5_000, 'the closed connection unscheduled');
  assert.deepEqual(await Promise.all(closes), [{ code: 1008, reason: 'token_expired' }, { code: 1008, reason: 'token_expired' }]);
  assert.deepEqual(order, ['sooner', 'later']);
  assert.equal(h.guard.deadlines.size, 0);
  assert.equal(h.events.filter((e) => e.kind === 'auth_expired').length, 2);
});
