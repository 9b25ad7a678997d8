import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '../../../src/server/index.js';
import { connect, mintToken, startGuard, waitFor } from '../helpers.js';

// sendRaw(Buffer) writes a text frame it builds itself (once per payload): every length encoding
// (7-bit, 16-bit, 64-bit) must reach a ws client intact, in order with frames ws itself sends.
test('sendRaw(Buffer): text frames of every length encoding arrive intact and in order', async (t) => {
  const h = await startGuard({ heartbeatMs: 60_000 });
  t.after(() => h.close());
  const opened = new Promise<Connection>((resolve) => h.guard.on('connection', resolve));
  const ws = await connect(h, { token: await mintToken() });
  const conn = await opened;
  const got: { text: string; binary: boolean }[] = [];
  ws.on('message', (d, binary) => {
    const text = String(d);
    if (!text.includes('"session.expiring"')) got.push({ text, binary });
  });
  const texts = [1, 125, 126, 65_535, 65_536, 200_000].map((n) => JSON.stringify({ type: 'event', payload: { path: 'é'.repeat(Math.max(0, n - 40) >> 1) } }));
  const sent: string[] = [];
  for (const text of texts) {
    const buf = Buffer.from(text);
    assert.equal(conn.sendRaw(buf), true);
    assert.equal(conn.sendRaw(buf), true); // the cached frame, again
    assert.equal(conn.sendRaw(text), true); // through ws, between ours
    sent.push(text, text, text);
  }
  await waitFor(() => got.length === sent.length, 10_000, 'all frames');
  assert.deepEqual(got.map((g) => g.binary), sent.map(() => false));
  assert.deepEqual(got.map((g) => g.text), sent);
  ws.close();
});
