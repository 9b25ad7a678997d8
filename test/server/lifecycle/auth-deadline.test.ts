import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, connect, mintToken, mockClock, request, SECRET, startGuard, waitClose } from '../helpers.js';

const firstMessage = { auth: { jwt: { secret: SECRET }, firstMessage: true }, authTimeoutMs: 1000 };

test('auth deadline: a connection that never authenticates is closed with 4401', async (t) => {
  const h = await startGuard(firstMessage);
  const advance = mockClock(t); // the deadline is the connection's setTimeout against Date.now()
  t.after(() => {
    t.mock.timers.reset();
    return h.close();
  });
  const ws = await connect(h, {});
  const closed = waitClose(ws);
  advance(900);
  assert.ok(!h.events.some((e) => e.kind === 'auth_timeout'), 'not before the deadline');
  advance(100);
  assert.deepEqual(await closed, { code: 4401, reason: 'auth_timeout' });
  assert.ok(h.events.some((e) => e.kind === 'auth_timeout'));
});

test('first-message auth: auth.refresh authenticates; the app then sees the connection', async (t) => {
  const h = await startGuard(firstMessage);
  const advance = mockClock(t); // the deadline is the connection's setTimeout against Date.now()
  t.after(() => {
    t.mock.timers.reset();
    return h.close();
  });
  const subs: string[] = [];
  h.guard.on('connection', (c) => subs.push(c.identity.sub));
  const token = await mintToken({ sub: 'late' });
  const ws = await connect(h, {});
  assert.deepEqual(subs, []);
  assert.equal((await request(ws, { type: 'auth.refresh', id: 'a', payload: { token } })).type, 'ack');
  assert.deepEqual(subs, ['late']);
  advance(1500); // past the deadline: still open
  assert.equal((await request(ws, { type: 'ping' })).type, 'pong');
  await closeClient(ws);
});

test('first-message auth: any other message before auth closes with 4401; a bad token closes too', async (t) => {
  const h = await startGuard(firstMessage);
  t.after(() => h.close());
  const early = await connect(h, {});
  const c1 = waitClose(early);
  early.send('{"type":"ping"}');
  assert.deepEqual(await c1, { code: 4401, reason: 'unauthenticated' });
  const bad = await connect(h, {});
  const c2 = waitClose(bad);
  const reply = await request(bad, { type: 'auth.refresh', payload: { token: 'a.b.c' } });
  assert.equal(reply.type === 'error' && reply.payload.code, 'invalid_token');
  assert.equal((await c2).code, 4401);
});
