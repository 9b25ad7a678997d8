import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mintToken, rawConnect, startGuard } from '../helpers.js';

test('request: version other than 13 gets 426 with Sec-WebSocket-Version: 13; bad keys and non-websocket upgrades get 400', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const auth = { Authorization: `Bearer ${await mintToken()}` };
  const v8 = await rawConnect(h.port, { headers: { ...auth, 'Sec-WebSocket-Version': '8' } });
  assert.equal(v8.status, 426);
  assert.match(v8.head, /Sec-WebSocket-Version: 13/);
  const variants: Record<string, string>[] = [{ 'Sec-WebSocket-Key': 'short' }, { 'Sec-WebSocket-Key': '' }, { Upgrade: 'h2c' }];
  for (const headers of variants) {
    const raw = await rawConnect(h.port, { headers: { ...auth, ...headers } });
    assert.equal(raw.status, 400, JSON.stringify(headers));
    await raw.ended;
  }
  const ok = await rawConnect(h.port, { headers: auth });
  assert.equal(ok.status, 101);
  ok.socket.destroy();
});
