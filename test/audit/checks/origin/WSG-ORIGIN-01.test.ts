import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck, track } from '../../harness.js';
import { audit } from './setup.js';

test('ORIGIN-01: foreign Origin accepted → finding (medium with a bearer token, high with a cookie)', async () => {
  const weak = await audit('WSG-ORIGIN-01', { acceptAnyOrigin: true });
  assert.equal(weak.result.status, 'fail');
  assert.equal(weak.findings[0]?.severity, 'medium');
  const s = await startWeakServer({ acceptAnyOrigin: true, auth: 'cookie' });
  track(s);
  const cookie = await runCheck('WSG-ORIGIN-01', s.url, { allowedOrigins: [ALLOWED], credentials: { cookie: s.createSession('alice') } });
  assert.equal(cookie.findings[0]?.severity, 'high');
  assert.match(cookie.findings[0]?.evidence ?? '', /wsguard-probe\.example/);
});

test('ORIGIN-01: exact allowlist → pass; wrong --origin → skipped, never pass', async () => {
  const ok = await audit('WSG-ORIGIN-01', {});
  assert.equal(ok.result.status, 'pass');
  assert.equal(ok.findings.length, 0);
  const na = await audit('WSG-ORIGIN-01', {}, { allowedOrigins: ['https://other.example.com'] });
  assert.equal(na.result.status, 'skipped');
  assert.match(na.result.reason ?? '', /baseline/);
});
