import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, handshakeStatus, mintToken, rawConnect, startGuard } from '../helpers.js';
import { parseProtocols } from '../../../src/server/gate/subprotocol.js';

test('subprotocol: wsguard.v1 required and the only entry echoed, never the bearer entry', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const token = await mintToken();
  assert.equal(await handshakeStatus(h, { token, protocols: ['chat'] }), 400);
  assert.equal(await handshakeStatus(h, { token, protocols: [] }), 400);
  const ws = await connect(h, { protocols: [`wsguard.bearer.${token}`, 'wsguard.v1'] });
  assert.equal(ws.protocol, 'wsguard.v1');
  ws.terminate();
  const raw = await rawConnect(h.port, { headers: { 'Sec-WebSocket-Protocol': `wsguard.bearer.${token}, wsguard.v1` } });
  assert.equal(raw.status, 101);
  assert.match(raw.head, /\r\nSec-WebSocket-Protocol: wsguard\.v1(\r\n|$)/i);
  assert.equal(raw.head.includes(token), false);
  raw.socket.destroy();
  for (const header of ['wsguard.v1, wsguard.v1', 'wsguard.v1, bad value', 'wsguard.v1, x{y}']) {
    const bad = await rawConnect(h.port, { headers: { Authorization: `Bearer ${token}`, 'Sec-WebSocket-Protocol': header } });
    assert.equal(bad.status, 400, header);
    await bad.ended;
  }
});

test('parseProtocols: trims, drops empties, bounded count', () => {
  assert.deepEqual(parseProtocols(' a , b,,c '), ['a', 'b', 'c']);
  assert.deepEqual(parseProtocols(undefined), []);
  assert.equal(parseProtocols(Array.from({ length: 100 }, (_, i) => `p${i}`).join(',')).length, 16);
});
