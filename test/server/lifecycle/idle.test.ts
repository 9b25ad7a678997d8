import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, mintToken, sleep, startGuard, waitClose } from '../helpers.js';

test('idle: no messages either way closes with 4408 idle_timeout (a client with something to resume reconnects); an active client stays', async (t) => {
  const h = await startGuard({ heartbeatMs: 100, idleTimeoutMs: 400 });
  t.after(() => h.close());
  const idle = await connect(h, { token: await mintToken({ sub: 'idle' }) });
  const active = await connect(h, { token: await mintToken({ sub: 'active' }) });
  const closed = waitClose(idle);
  const timer = setInterval(() => active.send('{"type":"ping"}'), 100);
  t.after(() => clearInterval(timer));
  assert.deepEqual(await closed, { code: 4408, reason: 'idle_timeout' });
  await sleep(300);
  assert.equal(active.readyState, active.OPEN);
  active.close();
});

test('idle: a held connection (the hub holds one per subscription) is not idle; released, it is', async (t) => {
  const h = await startGuard({ heartbeatMs: 50, idleTimeoutMs: 200 });
  t.after(() => h.close());
  let release: (() => void) | undefined;
  h.guard.on('connection', (conn) => (release ??= conn.hold()));
  const held = await connect(h, { token: await mintToken({ sub: 'held' }) });
  const heldClosed = waitClose(held);
  // A second, unheld socket is closed as idle while the held one stays open.
  const witness = await connect(h, { token: await mintToken({ sub: 'witness' }) });
  assert.deepEqual(await waitClose(witness), { code: 4408, reason: 'idle_timeout' });
  assert.equal(held.readyState, held.OPEN);
  release!();
  release!(); // idempotent: one release per hold
  assert.deepEqual(await heldClosed, { code: 4408, reason: 'idle_timeout' });
});
