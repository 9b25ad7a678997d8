import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from './setup.js';

test('AUTH-03: token accepted in the query → finding; refused → pass', async () => {
  const weak = await audit('WSG-AUTH-03', { acceptQueryToken: true });
  assert.equal(weak.findings[0]?.checkId, 'WSG-AUTH-03');
  assert.match(weak.findings[0]?.evidence ?? '', /\?token=/);
  const ok = await audit('WSG-AUTH-03', {});
  assert.equal(ok.result.status, 'pass');
});
