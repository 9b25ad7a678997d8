import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { caSignedCert, hasOpenssl, selfSignedCert, type TestCerts } from '../../../fixtures/tls-certs.js';
import { ALLOWED, runCheck } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));
const opensslMissing = !hasOpenssl();
let selfSigned: TestCerts;
let caSigned: TestCerts;
before(() => {
  if (opensslMissing) return;
  selfSigned = selfSignedCert();
  caSigned = caSignedCert();
});

const STRONG = 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305';

async function audit(id: string, weak: WeakServerOptions, extra: AuditOptionsInput = {}) {
  const s = await startWeakServer({ auth: 'none', ...weak });
  servers.push(s);
  return runCheck(id, s.url, { allowedOrigins: [ALLOWED], ...extra });
}

/** A non-loopback IPv4 address of this machine (TLS-01 ignores loopback targets). */
function lanAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

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

test('TLS-02: TLS 1.0 and weak suites → finding; TLS 1.2+ AEAD/ECDHE → pass', { skip: opensslMissing && 'needs openssl' }, async () => {
  const weak = await audit('WSG-TLS-02', { tls: { ...selfSigned, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } });
  assert.equal(weak.result.status, 'fail', weak.result.reason);
  assert.match(weak.findings[0]?.evidence ?? '', /TLS 1\.0|non-forward-secret|CBC with SHA-1/);
  const ok = await audit('WSG-TLS-02', { tls: { ...selfSigned, minVersion: 'TLSv1.2', ciphers: STRONG } });
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});

test('TLS-03: self-signed → finding; CA-trusted cert for 127.0.0.1 → pass; ws:// → skipped', { skip: opensslMissing && 'needs openssl' }, async () => {
  const weak = await audit('WSG-TLS-03', { tls: selfSigned });
  assert.match(weak.findings[0]?.evidence ?? '', /self[- ]signed|SELF_SIGNED/i);
  const ok = await audit('WSG-TLS-03', { tls: caSigned }, { ca: caSigned.ca });
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const expiring = await audit('WSG-TLS-03', { tls: caSignedCert(3) }, { ca: caSigned.ca });
  assert.equal(expiring.findings.length, 1);
  const plain = await audit('WSG-TLS-03', {});
  assert.equal(plain.result.status, 'skipped');
});
