import { test } from 'node:test';
import assert from 'node:assert/strict';
import { againstLax } from './lax.js';

test('PROTO-07: tunnel kept after a refused upgrade reaches an internal route → high finding', async () => {
  const r = await againstLax('WSG-PROTO-07', { tunnelAfterReject: true });
  const f = r.findings[0];
  assert.equal(f?.checkId, 'WSG-PROTO-07');
  assert.equal(f?.severity, 'high');
  assert.equal(f?.confidence, 'certain');
  assert.match(f?.evidence ?? '', /1337 got HTTP 426; "GET \/" on the same connection then got HTTP 200 \(internal-admin\).*HTTP 404/);
});

test('PROTO-07: connection closed after the 426 → pass', async () => {
  const r = await againstLax('WSG-PROTO-07', {});
  assert.equal(r.result.status, 'pass', r.result.reason);
});
