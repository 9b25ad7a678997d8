import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { clientIp, compileTrust, isTrustEntry, normalizeIp } from '../../../src/server/client-ip.js';
import { connect, handshakeStatus, mintToken, startGuard } from '../helpers.js';

const req = (remoteAddress: string, xff?: string) => ({ socket: { remoteAddress }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;

test('client-ip: X-Forwarded-For is ignored unless the peer is a trusted proxy; garbage from a trusted proxy is undefined (400)', () => {
  assert.equal(clientIp(req('::ffff:10.0.0.5', '1.2.3.4'), compileTrust([])), '10.0.0.5');
  assert.equal(clientIp(req('10.0.0.5', 'garbage'), compileTrust([])), '10.0.0.5');
  const trusted = compileTrust(['10.0.0.1', '10.0.0.2']);
  assert.equal(clientIp(req('10.0.0.1', '6.6.6.6, 1.2.3.4'), trusted), '1.2.3.4'); // right-most untrusted hop
  assert.equal(clientIp(req('10.0.0.1', '6.6.6.6, 1.2.3.4, 10.0.0.2'), trusted), '1.2.3.4');
  assert.equal(clientIp(req('10.0.0.1', 'garbage'), trusted), undefined);
  assert.equal(clientIp(req('10.0.0.1', '1.2.3.4, garbage'), trusted), undefined);
  assert.equal(clientIp(req('10.0.0.1', '1.2.3.4:5678'), trusted), undefined);
  assert.equal(clientIp(req('10.0.0.1'), trusted), '10.0.0.1');
  assert.equal(normalizeIp('::FFFF:127.0.0.1'), '127.0.0.1');
  // CIDR ranges (proxy-addr): every proxy in 10.0.0.0/8 is skipped, IPv4-mapped peers included.
  const cidr = compileTrust(['10.0.0.0/8', 'fd00::/8']);
  assert.equal(clientIp(req('::ffff:10.9.8.7', '203.0.113.5, 10.1.1.1'), cidr), '203.0.113.5');
  assert.equal(clientIp(req('fd00::1', '198.51.100.2'), cidr), '198.51.100.2');
  assert.equal(clientIp(req('11.0.0.1', '198.51.100.2'), cidr), '11.0.0.1');
  assert.equal(isTrustEntry('10.0.0.0/8'), true);
  assert.equal(isTrustEntry('10.0.0.0/33'), false);
  assert.equal(isTrustEntry('proxy.example'), false);
});

test('client-ip: a handshake whose trusted proxy forwards an unparsable X-Forwarded-For is refused with 400; CIDR trustProxy accepted', async (t) => {
  const h = await startGuard({ trustProxy: ['127.0.0.0/8'] });
  t.after(() => h.close());
  const token = await mintToken();
  assert.equal(await handshakeStatus(h, { token, headers: { 'x-forwarded-for': 'not-an-ip' } }), 400);
  assert.equal(await handshakeStatus(h, { token, headers: { 'x-forwarded-for': '203.0.113.1' } }), 101);
  assert.ok(h.events.some((e) => e.kind === 'handshake_refused' && e.reason === 'bad_forwarded'));
  const res = await fetch(`http://127.0.0.1:${h.port}/api/tickets`, { method: 'POST', headers: { 'x-forwarded-for': '1.2.3.4, ::zz', authorization: `Bearer ${token}` } });
  assert.equal(res.status, 400);
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
