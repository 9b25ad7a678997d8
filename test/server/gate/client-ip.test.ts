import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { clientIp, normalizeIp } from '../../../src/server/client-ip.js';
import { connect, handshakeStatus, mintToken, startGuard } from '../helpers.js';

const req = (remoteAddress: string, xff?: string) => ({ socket: { remoteAddress }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;

test('client-ip: X-Forwarded-For is ignored unless the peer is a trusted proxy', () => {
  assert.equal(clientIp(req('::ffff:10.0.0.5', '1.2.3.4'), new Set()), '10.0.0.5');
  const trusted = new Set(['10.0.0.1', '10.0.0.2']);
  assert.equal(clientIp(req('10.0.0.1', '6.6.6.6, 1.2.3.4'), trusted), '1.2.3.4'); // right-most untrusted hop
  assert.equal(clientIp(req('10.0.0.1', '6.6.6.6, 1.2.3.4, 10.0.0.2'), trusted), '1.2.3.4');
  assert.equal(clientIp(req('10.0.0.1', 'garbage'), trusted), '10.0.0.1');
  assert.equal(clientIp(req('10.0.0.1'), trusted), '10.0.0.1');
  assert.equal(normalizeIp('::FFFF:127.0.0.1'), '127.0.0.1');
});

test('client-ip: a spoofed X-Forwarded-For from an untrusted peer does not dodge the per-IP cap', async (t) => {
  const h = await startGuard({ caps: { perIp: 1, perUser: 100, global: 100 } });
  t.after(() => h.close());
  const first = await connect(h, { token: await mintToken(), headers: { 'x-forwarded-for': '1.1.1.1' } });
  t.after(() => first.terminate());
  assert.equal(await handshakeStatus(h, { token: await mintToken(), headers: { 'x-forwarded-for': '2.2.2.2' } }), 429);
});

test('client-ip: from a trusted proxy, each forwarded client gets its own per-IP budget', async (t) => {
  const h = await startGuard({ trustProxy: ['127.0.0.1'], handshakeRate: { perSec: 0.1, burst: 1 } });
  t.after(() => h.close());
  const token = await mintToken();
  assert.equal(await handshakeStatus(h, { token, headers: { 'x-forwarded-for': '1.1.1.1' } }), 101);
  assert.equal(await handshakeStatus(h, { token, headers: { 'x-forwarded-for': '1.1.1.1' } }), 429);
  assert.equal(await handshakeStatus(h, { token, headers: { 'x-forwarded-for': '2.2.2.2' } }), 101);
  const untrusted = await startGuard({ handshakeRate: { perSec: 0.1, burst: 1 } });
  t.after(() => untrusted.close());
  assert.equal(await handshakeStatus(untrusted, { token, headers: { 'x-forwarded-for': '1.1.1.1' } }), 101);
  assert.equal(await handshakeStatus(untrusted, { token, headers: { 'x-forwarded-for': '2.2.2.2' } }), 429);
});
