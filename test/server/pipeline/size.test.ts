import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, mintToken, rawConnect, startGuard, waitClose } from '../helpers.js';

test('size: a message over maxPayload closes with 1009', async (t) => {
  const h = await startGuard({ maxPayload: 1024 });
  t.after(() => h.close());
  const ws = await connect(h, { token: await mintToken() });
  const closed = waitClose(ws);
  ws.send(JSON.stringify({ type: 'ping', payload: { pad: 'x'.repeat(2000) } }));
  assert.equal((await closed).code, 1009);
  assert.ok(h.events.some((e) => e.kind === 'violation' && e.reason === 'too_big'));
});

test('size: the default limit is 64 KiB, and a frame merely declaring a huge length is cut off before its body', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const raw = await rawConnect(h.port, { headers: { Authorization: `Bearer ${await mintToken()}` } });
  assert.equal(raw.status, 101);
  // Header for a 1 GiB masked text frame, then only 4 bytes of mask: the server must not wait for the body.
  raw.socket.write(Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4]));
  await raw.ended;
  assert.equal(raw.closeCode(), 1009);
  const ok = await connect(h, { token: await mintToken() });
  const closed = waitClose(ok);
  ok.send('x'.repeat(64 * 1024 + 1));
  assert.equal((await closed).code, 1009);
});
