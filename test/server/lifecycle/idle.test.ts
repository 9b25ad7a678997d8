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

test('idle: a connection the server keeps writing to (fan-out frames, string messages) is active; once the writes stop it is idle', async (t) => {
  const h = await startGuard({ heartbeatMs: 50, idleTimeoutMs: 300 });
  t.after(() => h.close());
  const timers: NodeJS.Timeout[] = [];
  t.after(() => timers.forEach(clearInterval));
  h.guard.on('connection', (conn) => {
    // Alternates the two send paths: a prebuilt Buffer (fan-out) and a string (ws.send).
    let n = 0;
    timers.push(setInterval(() => (n++ % 2 === 0 ? conn.sendRaw(Buffer.from('{"type":"event"}')) : conn.sendRaw('{"type":"event"}')), 60));
  });
  const pushed = await connect(h, { token: await mintToken({ sub: 'pushed' }) });
  let frames = 0;
  pushed.on('message', () => frames++);
  const closed = waitClose(pushed);
  // Well past the idle timeout with only server → client traffic: still open.
  await sleep(900);
  assert.equal(pushed.readyState, pushed.OPEN);
  assert.ok(frames >= 6, `frames received: ${frames}`);
  timers.forEach(clearInterval);
  assert.deepEqual(await closed, { code: 4408, reason: 'idle_timeout' });
});
