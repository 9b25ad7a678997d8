import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, mintToken, rawConnect, sleep, startGuard, waitFor } from '../helpers.js';

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
  const h = await startGuard({ heartbeatMs: 300, idleTimeoutMs: 0 });
  t.after(() => h.close());
  const ws = await connect(h, { token: await mintToken() });
  let pings = 0;
  ws.on('ping', () => pings++);
  await sleep(1500);
  assert.ok(pings >= 2, `pings: ${pings}`);
  assert.equal(ws.readyState, ws.OPEN);
  ws.close();
});
