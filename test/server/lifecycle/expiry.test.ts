import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, connect, mintToken, nextMessage, request, sleep, startGuard, waitClose } from '../helpers.js';

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
  const closed = waitClose(ws);
  for (const token of [await mintToken({ sub: 'someone-else', exp: inSec(60) }), await mintToken({ sub: 'r', exp: inSec(-120) }), 'a.b.c']) {
    const r = await request(ws, { type: 'auth.refresh', payload: { token } });
    if (r.type === 'session.expiring') continue;
    assert.equal(r.type === 'error' && r.payload.code, 'invalid_token');
  }
  assert.deepEqual(await closed, { code: 1008, reason: 'token_expired' });
});
