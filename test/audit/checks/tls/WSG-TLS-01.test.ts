import { test } from 'node:test';
import assert from 'node:assert/strict';
import { opensslMissing, selfSigned, audit, lanAddress } from './setup.js';

test('TLS-01: plaintext accepted on the wss port of a non-loopback host → finding; TLS only → pass', { skip: opensslMissing || !lanAddress() ? 'needs openssl and a non-loopback IPv4 address' : false }, async () => {
  const host = lanAddress();
  const weak = await audit('WSG-TLS-01', { host, tls: selfSigned, plaintextOnTlsPort: true });
  assert.equal(weak.findings[0]?.checkId, 'WSG-TLS-01');
  assert.match(weak.findings[0]?.evidence ?? '', /Cleartext WebSocket upgrade accepted/);
  const ok = await audit('WSG-TLS-01', { host, tls: selfSigned });
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const ws = await audit('WSG-TLS-01', { host });
  assert.equal(ws.findings[0]?.severity, 'medium');
});

test('TLS-01: loopback targets are never a finding', async () => {
  const r = await audit('WSG-TLS-01', {});
  assert.equal(r.findings.length, 0);
  assert.equal(r.result.status, 'skipped');
});
