import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck } from '../../harness.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function audit(versionHeaders: boolean) {
  const s = await startWeakServer({ versionHeaders });
  servers.push(s);
  return runCheck('WSG-FINGER-01', s.url, { allowedOrigins: [ALLOWED], credentials: { token: await s.mintToken('alice') } });
}

test('FINGER-01: Server / X-Powered-By with versions on the 101 and refusals → info finding', async () => {
  const r = await audit(true);
  const f = r.findings[0];
  assert.equal(f?.checkId, 'WSG-FINGER-01');
  assert.equal(f?.severity, 'info');
  assert.match(f?.evidence ?? '', /Server: wsguard-weak\/1\.2\.3 \(on HTTP 101\/403\)/);
  assert.match(f?.evidence ?? '', /X-Powered-By: Express\/4\.17\.1/);
});

test('FINGER-01: no product headers → pass', async () => {
  const r = await audit(false);
  assert.equal(r.result.status, 'pass', r.result.reason);
});
