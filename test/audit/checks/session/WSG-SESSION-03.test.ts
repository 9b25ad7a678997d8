import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from './setup.js';

test('SESSION-03: no heartbeat → finding; pings → pass', async () => {
  const weak = await audit('WSG-SESSION-03', { noHeartbeat: true }, () => ({ idleWaitMs: 800 }));
  assert.equal(weak.findings[0]?.severity, 'low');
  const ok = await audit('WSG-SESSION-03', { heartbeatMs: 200 }, () => ({ idleWaitMs: 5000 }));
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});
