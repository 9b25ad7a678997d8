import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer } from '../../fixtures/weak-server.js';
import { endpointOf, rawHandshake, encodeFrame, FrameDecoder, Opcode, closePayload, fragmentMessage, deflateMessage, expectedAccept } from '../../../src/audit/raw/index.js';
import { inflateRawSync } from 'node:zlib';

const server = await startWeakServer({ auth: 'none' });
after(() => server.close());
const ep = endpointOf(new URL(server.url));

test('handshake with allowed Origin upgrades and Accept is valid', async () => {
  const r = await rawHandshake(ep, { request: { origin: 'https://app.example.com' } });
  assert.equal(r.response.status, 101);
  assert.equal(r.acceptValid, true);
});

test('foreign Origin gets 403 with a bounded body', async () => {
  const r = await rawHandshake(ep, { request: { origin: 'https://evil.example' } });
  assert.equal(r.response.status, 403);
  assert.equal(r.response.body.toString(), 'Forbidden');
});

test('byte-by-byte handshake, then echo over masked frames and a fragment chain', async () => {
  const r = await rawHandshake(ep, { request: { origin: 'https://app.example.com' }, keepOpen: true, sliceBytes: 16, sliceDelayMs: 1 });
  const conn = r.connection;
  assert.ok(conn);
  try {
    conn.sendFrame({ opcode: Opcode.TEXT, payload: JSON.stringify({ type: 'echo', data: 'hi' }) });
    const f = await conn.nextFrame(2000);
    assert.equal(f?.opcode, Opcode.TEXT);
    assert.deepEqual(JSON.parse(f?.payload.toString() ?? ''), { type: 'echo', data: 'hi' });
    for (const b of fragmentMessage(Opcode.TEXT, JSON.stringify({ type: 'echo', data: 'frag' }), 3)) conn.write(b);
    const g = await conn.nextFrame(2000);
    assert.deepEqual(JSON.parse(g?.payload.toString() ?? ''), { type: 'echo', data: 'frag' });
    conn.sendFrame({ opcode: Opcode.TEXT, payload: 'x', mask: false });
    const closed = await conn.waitClose(2000);
    assert.equal(closed.closeFrame?.closeCode, 1002);
  } finally {
    conn.destroy();
  }
});

test('encoder writes non-minimal and 64-bit MSB lengths; decoder reads them back', () => {
  const f = encodeFrame({ opcode: Opcode.TEXT, payload: 'hello', mask: false, lengthForm: '16' });
  assert.deepEqual([...f.subarray(0, 4)], [0x81, 126, 0, 5]);
  const big = encodeFrame({ opcode: Opcode.BINARY, mask: false, declaredLength: 0x8000000000000000n });
  assert.equal(big[1], 127);
  assert.equal(big.readBigUInt64BE(2), 0x8000000000000000n);
  assert.throws(() => new FrameDecoder(1024).push(big));
  const frames = new FrameDecoder().push(encodeFrame({ opcode: Opcode.CLOSE, payload: closePayload(4401, 'nope'), rsv2: true }));
  assert.equal(frames[0]?.closeCode, 4401);
  assert.equal(frames[0]?.closeReason?.toString(), 'nope');
  assert.equal(frames[0]?.rsv2, true);
  assert.equal(frames[0]?.masked, true);
});

test('deflateMessage round-trips and Accept matches RFC 6455 example', () => {
  const d = deflateMessage('aaaaaaaaaaaaaaaa');
  assert.equal(inflateRawSync(Buffer.concat([d, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: 2 }).toString(), 'aaaaaaaaaaaaaaaa');
  assert.equal(expectedAccept('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('pipelined responses on one connection are read one after the other', async () => {
  const { RawConnection } = await import('../../../src/audit/raw/raw-connection.js');
  const conn = await RawConnection.open({ host: ep.host, port: ep.port });
  try {
    conn.write('GET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /nope2 HTTP/1.1\r\nHost: x\r\n\r\n');
    const a = await conn.readResponse({ timeoutMs: 2000 });
    const b = await conn.readResponse({ timeoutMs: 2000 });
    assert.equal(a.status, 404);
    assert.equal(a.body.toString(), 'not found');
    assert.equal(b.status, 404);
  } finally {
    conn.destroy();
  }
});
