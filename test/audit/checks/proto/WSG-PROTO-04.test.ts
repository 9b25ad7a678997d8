import { test } from 'node:test';
import assert from 'node:assert/strict';
import { againstLax } from './lax.js';

test('PROTO-04: invalid UTF-8 accepted → finding; per-frame validation refusing a valid split → finding', async () => {
  const r = await againstLax('WSG-PROTO-04', { skipUtf8Validation: true });
  assert.equal(r.findings[0]?.checkId, 'WSG-PROTO-04');
  assert.equal(r.findings[0]?.severity, 'low');
  assert.match(r.findings[0]?.evidence ?? '', /overlong.*surrogate.*truncated/);
  const split = await againstLax('WSG-PROTO-04', { utf8PerFrame: true });
  assert.match(split.findings[0]?.evidence ?? '', /split across two fragments: refused with close 1007/);
  assert.doesNotMatch(split.findings[0]?.evidence ?? '', /overlong/);
});

test('PROTO-04: RFC 6455 server → pass', async () => {
  const r = await againstLax('WSG-PROTO-04', {});
  assert.equal(r.result.status, 'pass', r.result.reason);
});
