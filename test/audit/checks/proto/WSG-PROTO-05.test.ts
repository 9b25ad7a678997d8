import { test } from 'node:test';
import assert from 'node:assert/strict';
import { againstLax } from './lax.js';

test('PROTO-05: fragmentation errors tolerated → finding; interleaved ping refused → finding', async () => {
  const r = await againstLax('WSG-PROTO-05', { laxFragmentation: true });
  assert.equal(r.findings[0]?.checkId, 'WSG-PROTO-05');
  assert.equal(r.findings[0]?.severity, 'low');
  assert.match(r.findings[0]?.evidence ?? '', /continuation with no message open: kept open.*new text frame inside/);
  const strictPing = await againstLax('WSG-PROTO-05', { rejectInterleavedControl: true });
  assert.match(strictPing.findings[0]?.evidence ?? '', /ping between fragments .* close 1002/);
});

test('PROTO-05: RFC 6455 server → pass', async () => {
  const r = await againstLax('WSG-PROTO-05', {});
  assert.equal(r.result.status, 'pass', r.result.reason);
});
