import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { caSignedCert, hasOpenssl } from '../../../fixtures/tls-certs.js';
import { ALLOWED, runCheck } from '../../harness.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function audit(weak: WeakServerOptions) {
  const s = await startWeakServer(weak);
  servers.push(s);
  return runCheck('WSG-LIMIT-03', s.url, { allowedOrigins: [ALLOWED], credentials: { token: await s.mintToken('alice') } });
}

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
  const s = await startWeakServer({ noFragmentLimit: true, tls: { key: pair.key, cert: pair.cert } });
  servers.push(s);
  const warnings: Error[] = [];
  const onWarning = (w: Error) => void warnings.push(w);
  process.on('warning', onWarning);
  try {
    const r = await runCheck('WSG-LIMIT-03', s.url, { allowedOrigins: [ALLOWED], credentials: { token: await s.mintToken('alice') } });
    assert.match(r.findings[0]?.evidence ?? '', /^200000 continuation frames/, 'the check ran to the end over wss');
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
});
