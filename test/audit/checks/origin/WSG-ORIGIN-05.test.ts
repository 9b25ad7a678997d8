import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from './setup.js';

test('ORIGIN-05: any subdomain / http scheme → finding; off → pass', async () => {
  const sub = await audit('WSG-ORIGIN-05', { acceptAnySubdomain: true });
  assert.match(sub.findings[0]?.evidence ?? '', /wsguard-probe\.example\.com/);
  const http = await audit('WSG-ORIGIN-05', { acceptHttpScheme: true });
  assert.match(http.findings[0]?.evidence ?? '', /http:\/\/app\.example\.com/);
  const ok = await audit('WSG-ORIGIN-05', {});
  assert.equal(ok.result.status, 'pass');
});
