import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchTurns } from '../../../src/server/pipeline/arrival.js';
import { closeClient, connect, mintToken, mockClock, rawConnect, request, startGuard, waitFor } from '../helpers.js';

test('heartbeat: a client that never answers pings is terminated', async (t) => {
  const h = await startGuard({ heartbeatMs: 100, idleTimeoutMs: 0 });
  t.after(() => h.close());
  const raw = await rawConnect(h.port, { headers: { Authorization: `Bearer ${await mintToken()}` } });
  assert.equal(raw.status, 101);
  await raw.ended;
  assert.ok(raw.frames.some((f) => f.opcode === 0x9), 'saw a ping');
  assert.ok(h.events.some((e) => e.kind === 'heartbeat_timeout'));
  await waitFor(() => h.guard.connections === 0, 5000, 'connection gone');
});

test('heartbeat: a client that answers pings stays connected', async (t) => {
  // The beat is the guard's setInterval, created with it: mocked first. The process-wide turn stamp
  // (arrival.ts) is started before, so it keeps its real timer for the tests after this one.
  watchTurns();
  const advance = mockClock(t, ['setTimeout', 'setInterval']);
  const h = await startGuard({ heartbeatMs: 300, idleTimeoutMs: 0 });
  t.after(() => {
    t.mock.timers.reset();
    return h.close();
  });
  const ws = await connect(h, { token: await mintToken() });
  let pings = 0;
  ws.on('ping', () => pings++);
  // The next ping, or the close that says the server gave up on this client.
  const nextPing = () => new Promise<void>((resolve, reject) => {
    const onPing = () => { ws.off('close', onClose); resolve(); };
    const onClose = (code: number) => { ws.off('ping', onPing); reject(new Error(`closed ${code} after ${pings} pings`)); };
    ws.once('ping', onPing);
    ws.once('close', onClose);
  });
  for (let beat = 1; beat <= 5; beat++) {
    const next = nextPing();
    advance(300);
    await next;
    // The client answers a ping before emitting it; a round trip after it puts the pong on the server before the next beat.
    assert.equal((await request(ws, { type: 'ping' })).type, 'pong');
  }
  assert.equal(pings, 5);
  assert.equal(ws.readyState, ws.OPEN);
  await closeClient(ws);
});
