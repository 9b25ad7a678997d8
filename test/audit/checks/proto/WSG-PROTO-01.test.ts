import { test } from 'node:test';
import assert from 'node:assert/strict';
import { againstLax } from './lax.js';

test('PROTO-01: unmasked frame processed → finding', async () => {
  const r = await againstLax('WSG-PROTO-01', { acceptUnmasked: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-PROTO-01');
  assert.equal(r.findings[0]?.severity, 'low');
  assert.equal(r.findings[0]?.confidence, 'certain');
  assert.match(r.findings[0]?.evidence ?? '', /kept open.*ping answered/);
});

test('PROTO-01: RFC 6455 server closes 1002 → pass', async () => {
  const r = await againstLax('WSG-PROTO-01', {});
  assert.equal(r.result.status, 'pass', r.result.reason);
  assert.equal(r.findings.length, 0);
});
