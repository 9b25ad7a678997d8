import { test } from 'node:test';
import assert from 'node:assert/strict';
import type WebSocket from 'ws';
import { connect, handshakeStatus, mintToken, startGuard, waitFor } from '../helpers.js';

test('caps: per-IP cap refuses with 429, and the slot comes back when a connection closes', async (t) => {
  const h = await startGuard({ caps: { perIp: 2, perUser: 100, global: 100 } });
  t.after(() => h.close());
  const a = await connect(h, { token: await mintToken({ sub: 'a' }) });
  const b = await connect(h, { token: await mintToken({ sub: 'b' }) });
  assert.equal(await handshakeStatus(h, { token: await mintToken({ sub: 'c' }) }), 429);
  a.close();
  await waitFor(() => h.guard.connections === 1, 5000, 'close');
  assert.equal(await handshakeStatus(h, { token: await mintToken({ sub: 'c' }) }), 101);
  b.close();
});

test('caps: per-user cap refuses with 429, other users unaffected', async (t) => {
  const h = await startGuard({ caps: { perIp: 100, perUser: 2, global: 100 } });
  t.after(() => h.close());
  const open: WebSocket[] = [];
  const alice = await mintToken({ sub: 'alice' });
  open.push(await connect(h, { token: alice }), await connect(h, { token: alice }));
  assert.equal(await handshakeStatus(h, { token: alice }), 429);
  assert.ok(h.events.some((e) => e.kind === 'handshake_refused' && e.reason === 'cap_user'));
  assert.equal(await handshakeStatus(h, { token: await mintToken({ sub: 'bob' }) }), 101);
  for (const ws of open) ws.terminate();
});

test('caps: global cap refuses with 503', async (t) => {
  const h = await startGuard({ caps: { perIp: 100, perUser: 100, global: 2 } });
  t.after(() => h.close());
  const open = [await connect(h, { token: await mintToken({ sub: 'a' }) }), await connect(h, { token: await mintToken({ sub: 'b' }) })];
  assert.equal(await handshakeStatus(h, { token: await mintToken({ sub: 'c' }) }), 503);
  assert.ok(h.events.some((e) => e.kind === 'handshake_refused' && e.reason === 'cap_global'));
  for (const ws of open) ws.terminate();
});

test('caps: refused handshakes do not leak reservations', async (t) => {
  const h = await startGuard({ caps: { perIp: 2, perUser: 100, global: 100 }, authFailures: { perMin: 600, burst: 100 } });
  t.after(() => h.close());
  for (let i = 0; i < 5; i++) assert.equal(await handshakeStatus(h, { token: 'not.a.jwt' }), 401);
  const open = [await connect(h, { token: await mintToken() }), await connect(h, { token: await mintToken() })];
  for (const ws of open) ws.terminate();
});

test('caps: an injected ConnectionCounter makes the per-user cap hold across guards (cluster mode)', async (t) => {
  const { MemoryConnectionCounter } = await import('../../../src/auth/memory.js');
  const shared = new MemoryConnectionCounter();
  t.after(() => shared.close());
  const a = await startGuard({ connectionCounter: shared, caps: { perIp: 100, perUser: 1, global: 100 } });
  t.after(() => a.close());
  const b = await startGuard({ connectionCounter: shared, caps: { perIp: 100, perUser: 1, global: 100 } });
  t.after(() => b.close());
  const token = await mintToken({ sub: 'roamer' });
  const ws = await connect(a, { token });
  assert.equal(await handshakeStatus(b, { token }), 429);
  ws.close();
  await waitFor(() => a.guard.connections === 0, 5000, 'close');
  assert.equal(await handshakeStatus(b, { token }), 101);
});

test('caps: first-message auth applies the per-user cap when it authenticates (close 1013)', async (t) => {
  const { SECRET, waitClose } = await import('../helpers.js');
  const h = await startGuard({ auth: { jwt: { secret: SECRET }, firstMessage: true }, caps: { perIp: 100, perUser: 1, global: 100 } });
  t.after(() => h.close());
  const token = await mintToken({ sub: 'one' });
  const first = await connect(h, { token });
  const second = await connect(h, {});
  const closed = waitClose(second);
  second.send(JSON.stringify({ type: 'auth.refresh', payload: { token } }));
  assert.deepEqual(await closed, { code: 1013, reason: 'too_many_connections' });
  first.terminate();
});
