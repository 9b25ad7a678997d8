import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caSignedCert } from '../../../fixtures/tls-certs.js';
import { opensslMissing, selfSigned, caSigned, audit } from './setup.js';

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
