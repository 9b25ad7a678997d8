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
