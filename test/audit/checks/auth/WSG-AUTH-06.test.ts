import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from './setup.js';

test('AUTH-06: no throttle → finding; 429 after 10 failures → pass', async () => {
  const weak = await audit('WSG-AUTH-06', { noAuthThrottle: true });
  assert.equal(weak.findings[0]?.checkId, 'WSG-AUTH-06');
  const ok = await audit('WSG-AUTH-06', {});
  assert.equal(ok.result.status, 'pass');
});
