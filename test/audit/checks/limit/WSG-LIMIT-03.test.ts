import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
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
