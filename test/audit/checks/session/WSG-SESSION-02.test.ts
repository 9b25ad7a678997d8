import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Weak, audit } from './setup.js';

test('SESSION-02: socket outlives exp → finding; closed at exp → pass', async () => {
  const opts = async (s: Weak) => ({ shortToken: await s.mintToken('alice', 2), sessionGraceMs: 300 });
  const weak = await audit('WSG-SESSION-02', { keepSocketAfterExpiry: true }, opts);
  assert.equal(weak.findings[0]?.severity, 'medium');
  const ok = await audit('WSG-SESSION-02', {}, opts);
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});
