import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type WebSocket from 'ws';
import type { ServerMessage } from '../../../src/protocol/index.js';
import { closeClient, collect, connect, mintToken, mockClock, nextMessage, request, startGuard, waitClose, waitFor, type Harness } from '../helpers.js';

const inSec = (s: number) => Math.floor(Date.now() / 1000) + s;

/**
 * The notice and the close are the connection's setTimeout against Date.now(): with both mocked the
 * tests move time past exp instead of waiting for it. A token with `exp: inSec(3)` expires 2-3 s on,
 * its notice (1 s before) comes 1-2 s on.
 */
async function start(t: TestContext): Promise<{ h: Harness; advance: (ms: number) => void }> {
  const h = await startGuard({ expiringNoticeMs: 1000 });
  const advance = mockClock(t);
  t.after(() => {
    t.mock.timers.reset();
    return h.close();
  });
  return { h, advance };
}

/** The answer with this id, whatever else (the session.expiring notice) comes first. */
function answerTo(ws: WebSocket, id: string): Promise<ServerMessage> {
  return new Promise((resolve) => {
    const on = (d: WebSocket.RawData) => {
      const m = JSON.parse(d.toString()) as ServerMessage;
      if ('id' in m && m.id === id) {
        ws.off('message', on);
        resolve(m);
      }
    };
    ws.on('message', on);
  });
}

test('expiry: session.expiring before exp, then close 1008 token_expired', async (t) => {
  const { h, advance } = await start(t);
  const exp = inSec(3);
  const ws = await connect(h, { token: await mintToken({ exp }) });
  const got = collect(ws);
  const closed = waitClose(ws);
  advance(3000);
  assert.deepEqual(await closed, { code: 1008, reason: 'token_expired' });
  assert.deepEqual(got, [{ type: 'session.expiring', payload: { exp } }]);
  assert.ok(h.events.some((e) => e.kind === 'auth_expired'));
});

test('expiry: auth.refresh with a valid token for the same sub extends the session', async (t) => {
  const { h, advance } = await start(t);
  const ws = await connect(h, { token: await mintToken({ sub: 'r', exp: inSec(3) }) });
  const notice = nextMessage(ws);
  advance(2000); // the notice, not yet the expiry
  assert.equal((await notice).type, 'session.expiring');
  assert.equal((await request(ws, { type: 'auth.refresh', payload: { token: await mintToken({ sub: 'r', exp: inSec(60) }) } })).type, 'ack');
  advance(3000); // past the first token's exp
  assert.equal(ws.readyState, ws.OPEN);
  assert.equal((await request(ws, { type: 'ping' })).type, 'pong');
  await closeClient(ws);
});

test('expiry: a refresh token for another sub, expired or forged is refused and the session still ends', async (t) => {
  const { h, advance } = await start(t);
  const ws = await connect(h, { token: await mintToken({ sub: 'r', exp: inSec(3) }) });
  const got = collect(ws);
  const closed = waitClose(ws);
  advance(2000); // the notice: the client refreshes after it
  const tokens = { 'other-sub': await mintToken({ sub: 'someone-else', exp: inSec(60) }), expired: await mintToken({ sub: 'r', exp: inSec(-120) }), forged: 'a.b.c' };
  for (const [label, token] of Object.entries(tokens)) {
    const id = `refresh-${label}`;
    const answer = answerTo(ws, id);
    ws.send(JSON.stringify({ type: 'auth.refresh', id, payload: { token } }));
    const r = await answer;
    assert.equal(r.type === 'error' && r.payload.code, 'invalid_token', `${label}: ${JSON.stringify(r)}`);
  }
  advance(1000); // the first token's exp
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
