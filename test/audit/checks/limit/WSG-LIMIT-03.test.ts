import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { caSignedCert, hasOpenssl } from '../../../fixtures/tls-certs.js';
import { auditWeak } from '../../harness.js';

const audit = (weak: WeakServerOptions) => auditWeak('WSG-LIMIT-03', weak);

test('LIMIT-03: no fragment limit → 200 000 fragments taken, finding', async () => {
  const r = await audit({ noFragmentLimit: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-LIMIT-03');
  assert.equal(r.findings[0]?.severity, 'medium');
  assert.match(r.findings[0]?.evidence ?? '', /^200000 continuation frames/);
});

test('LIMIT-03: ws maxFragments (default 16 384) closes 1008 → pass', async () => {
  const r = await audit({});
  assert.equal(r.result.status, 'pass', r.result.reason);
});

/*
 * LIMIT-03 waits for 'drain' between batches of fragments. Each wait must take its listeners off
 * the socket again: left behind, they pile up on the TLSSocket of a wss target (whose writes need
 * draining far more often than plain TCP on loopback) until Node prints MaxListenersExceededWarning.
 */

test('LIMIT-03 over wss: 200 000 fragments sent without leaking listeners on the TLSSocket', { skip: !hasOpenssl() && 'needs the openssl CLI' }, async () => {
  const pair = caSignedCert(30);
  const warnings: Error[] = [];
  const onWarning = (w: Error) => void warnings.push(w);
  process.on('warning', onWarning);
  try {
    const r = await auditWeak('WSG-LIMIT-03', { noFragmentLimit: true, tls: { key: pair.key, cert: pair.cert } });
    assert.match(r.findings[0]?.evidence ?? '', /^200000 continuation frames/, 'the check ran to the end over wss');
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
});
