import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from './setup.js';

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
