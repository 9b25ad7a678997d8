import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Weak, audit, logoutCmd } from './setup.js';

test('SESSION-01: socket kept after logout → finding; closed on logout → pass; no --logout-cmd → skipped', async () => {
  const opts = (s: Weak, t: string) => ({ logoutCmd: logoutCmd(s.httpBase, t), sessionWaitMs: 600 });
  const weak = await audit('WSG-SESSION-01', { keepSocketAfterLogout: true }, opts);
  assert.equal(weak.findings[0]?.severity, 'high');
  const ok = await audit('WSG-SESSION-01', {}, opts);
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const none = await audit('WSG-SESSION-01', {});
  assert.equal(none.result.status, 'skipped');
});
