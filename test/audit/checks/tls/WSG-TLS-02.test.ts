import { test } from 'node:test';
import assert from 'node:assert/strict';
import { opensslMissing, selfSigned, STRONG, audit } from './setup.js';

test('TLS-02: TLS 1.0 and weak suites → finding; TLS 1.2+ AEAD/ECDHE → pass', { skip: opensslMissing && 'needs openssl' }, async () => {
  const weak = await audit('WSG-TLS-02', { tls: { ...selfSigned, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } });
  assert.equal(weak.result.status, 'fail', weak.result.reason);
  assert.match(weak.findings[0]?.evidence ?? '', /TLS 1\.0|non-forward-secret|CBC with SHA-1/);
  const ok = await audit('WSG-TLS-02', { tls: { ...selfSigned, minVersion: 'TLSv1.2', ciphers: STRONG } });
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});
