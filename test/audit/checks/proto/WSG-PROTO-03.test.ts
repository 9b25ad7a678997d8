import { test } from 'node:test';
import assert from 'node:assert/strict';
import { againstLax } from './lax.js';

test('PROTO-03: oversize/fragmented control frames, bad close codes, wrong pong → finding', async () => {
  const r = await againstLax('WSG-PROTO-03', { laxControlFrames: true, pongWrongData: true });
  assert.equal(r.findings.length, 1);
  const f = r.findings[0];
  assert.equal(f?.checkId, 'WSG-PROTO-03');
  assert.equal(f?.severity, 'low');
  assert.equal(f?.confidence, 'certain');
  for (const s of ['126-byte', 'FIN=0', 'close code 999', 'close code 5000', 'invalid UTF-8', 'pong data differs']) assert.ok(f?.evidence.includes(s), s);
});

test('PROTO-03: RFC 6455 server → pass', async () => {
  const r = await againstLax('WSG-PROTO-03', {});
  assert.equal(r.result.status, 'pass', r.result.reason);
});
