import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, mintToken, rawConnect, startGuard, waitClose } from '../helpers.js';

test('text-only: a binary frame closes with 1003', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const ws = await connect(h, { token: await mintToken() });
  const closed = waitClose(ws);
  ws.send(Buffer.from(JSON.stringify({ type: 'ping' })), { binary: true });
  const { code, reason } = await closed;
  assert.equal(code, 1003);
  assert.equal(reason, 'binary_not_allowed');
});

test('utf-8: a text frame with invalid UTF-8 closes with 1007', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const raw = await rawConnect(h.port, { headers: { Authorization: `Bearer ${await mintToken()}` } });
  raw.send(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
  await raw.ended;
  assert.equal(raw.closeCode(), 1007);
  assert.ok(h.events.some((e) => e.kind === 'violation' && e.reason === 'invalid_utf8'));
});

test('framing: an unmasked client frame closes with 1002', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const raw = await rawConnect(h.port, { headers: { Authorization: `Bearer ${await mintToken()}` } });
  raw.send(0x1, '{"type":"ping"}', { mask: false });
  await raw.ended;
  assert.equal(raw.closeCode(), 1002);
});
