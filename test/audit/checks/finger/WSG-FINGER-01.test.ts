import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditWeak } from '../../harness.js';

const audit = (versionHeaders: boolean) => auditWeak('WSG-FINGER-01', { versionHeaders });

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
