import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from './setup.js';
import { runCheck, track } from '../../harness.js';
import { startSocketIoServer } from '../../../fixtures/socketio-server.js';

test('SESSION-03 on Socket.IO: the Engine.IO ping is the heartbeat → pass, and the watching socket sends nothing back (no pong: not client traffic)', async () => {
  const s = track(await startSocketIoServer({ engine: { pingInterval: 300, pingTimeout: 5000 } }));
  const r = await runCheck('WSG-SESSION-03', s.url, { idleWaitMs: 3000 });
  assert.equal(r.result.status, 'pass', r.result.reason);
  const sent = r.traffic.entries().filter((e) => e.checkId === 'WSG-SESSION-03' && e.direction === 'out' && e.kind === 'frame').map((e) => e.text);
  assert.deepEqual(sent.filter((t) => t === '3'), [], `sent: ${sent.join(', ')}`);
});

test('SESSION-03 on Socket.IO: a transport the server closed during the CONNECT exchange counts as closed, not as "never closed" (was a finding)', async () => {
  const s = track(await startSocketIoServer({ closeOnConnect: true }));
  const r = await runCheck('WSG-SESSION-03', s.url, { idleWaitMs: 1500 });
  assert.deepEqual(r.findings.map((f) => f.evidence), []);
  assert.equal(r.result.status, 'pass', r.result.reason);
});

test('SESSION-03: no heartbeat → finding; pings → pass', async () => {
  const weak = await audit('WSG-SESSION-03', { noHeartbeat: true }, () => ({ idleWaitMs: 800 }));
  assert.equal(weak.findings[0]?.severity, 'low');
  const ok = await audit('WSG-SESSION-03', { heartbeatMs: 200 }, () => ({ idleWaitMs: 5000 }));
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});

test('SESSION-03: a heartbeat right at the window edge (period = --idle-wait, landing just after our timer) → pass, not a finding', async () => {
  // The server's clock starts at its 'connection', ours once the 101 has reached us; on a loaded
  // machine a ping of exactly the window's period lands a little after the window: 250 ms here.
  const edge = await audit('WSG-SESSION-03', { heartbeatMs: 2250 }, () => ({ idleWaitMs: 2000 }));
  assert.equal(edge.result.status, 'pass', edge.findings.map((f) => f.evidence).join('; '));
  // The grace is bounded: a ping well past the window is still a finding.
  const late = await audit('WSG-SESSION-03', { heartbeatMs: 4500 }, () => ({ idleWaitMs: 2000 }));
  assert.equal(late.findings[0]?.checkId, 'WSG-SESSION-03');
});
