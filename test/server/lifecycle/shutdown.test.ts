import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, handshakeStatus, mintToken, rawConnect, startGuard, waitClose, waitFor } from '../helpers.js';

test('shutdown: every client gets 1001 shutdown, new handshakes get 503, close() resolves', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const clients = await Promise.all(['a', 'b', 'c'].map(async (sub) => connect(h, { token: await mintToken({ sub }) })));
  const closes = clients.map((ws) => waitClose(ws));
  const done = h.guard.close({ deadlineMs: 3000 });
  assert.equal(await handshakeStatus(h, { token: await mintToken() }), 503);
  for (const c of await Promise.all(closes)) assert.deepEqual(c, { code: 1001, reason: 'shutdown' });
  await done;
  assert.equal(h.guard.connections, 0);
});

test('shutdown: a peer that never completes the close is terminated at the deadline', async (t) => {
  const h = await startGuard({ closeGraceMs: 60_000 });
  t.after(() => h.close());
  const raw = await rawConnect(h.port, { headers: { Authorization: `Bearer ${await mintToken()}` }, read: false });
  await h.guard.close({ deadlineMs: 300 });
  await waitFor(() => h.guard.connections === 0, 5000, 'terminated');
  raw.socket.resume();
  await raw.ended;
});

test('shutdown: a message in flight is finished and acknowledged before the 1001', async (t) => {
  const { z } = await import('zod');
  const { collect } = await import('../helpers.js');
  const h = await startGuard();
  t.after(() => h.close());
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  h.guard.message('commit', z.object({}), async () => {
    started();
    await gate;
    return { seq: 42 };
  });
  const ws = await connect(h, { token: await mintToken() });
  const got = collect(ws);
  const closed = waitClose(ws);
  ws.send(JSON.stringify({ type: 'commit', id: 'c1' }));
  await running;
  const done = h.guard.close({ deadlineMs: 5000 });
  setTimeout(release, 200);
  assert.deepEqual(await closed, { code: 1001, reason: 'shutdown' });
  await done;
  assert.deepEqual(got, [{ type: 'ack', id: 'c1', payload: { seq: 42 } }]);
});
