import { test } from 'node:test';
import assert from 'node:assert/strict';
import { againstLax } from './lax.js';

test('PROTO-06: loose handshake and wrong Accept → low finding', async () => {
  const r = await againstLax('WSG-PROTO-06', { looseHandshake: true, wrongAccept: true });
  const f = r.findings[0];
  assert.equal(f?.checkId, 'WSG-PROTO-06');
  assert.equal(f?.severity, 'low');
  for (const s of ['no Sec-WebSocket-Version', '"13\\r"', 'not base64', 'method POST', 'no Connection', 'hixie-76', 'Accept does not match']) assert.ok(f?.evidence.includes(s), s);
});

test('PROTO-06: RFC 6455 server (426/400 for every variant) → pass', async () => {
  const r = await againstLax('WSG-PROTO-06', {});
  assert.equal(r.result.status, 'pass', r.result.reason);
});
