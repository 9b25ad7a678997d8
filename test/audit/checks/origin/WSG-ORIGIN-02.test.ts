import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from './setup.js';

test('ORIGIN-02: null accepted → finding; off → pass', async () => {
  const weak = await audit('WSG-ORIGIN-02', { acceptNullOrigin: true });
  assert.equal(weak.findings[0]?.checkId, 'WSG-ORIGIN-02');
  const ok = await audit('WSG-ORIGIN-02', {});
  assert.equal(ok.result.status, 'pass');
});
