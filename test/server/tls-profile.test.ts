/**
 * The TLS profile (src/server/tls-profile.ts) attacked over real TLS sockets: an https server made
 * with secureHttpsOptions() refuses old versions, RSA key exchange and CBC/SHA-1 suites, picks the
 * suite in its own order, and refuses renegotiation. Node's defaults accept the weak suites, so
 * each refusal here is the profile's doing (the first test shows it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { secureHttpsOptions, tlsProfileWeakenings, TLS_PROFILE } from '../../src/server/index.js';
import { hasOpenssl, selfSignedCert, type TestCerts } from '../fixtures/tls-certs.js';

const skip = !hasOpenssl() && 'needs the openssl CLI';
let certs: TestCerts;
const servers: https.Server[] = [];
before(() => {
  if (!skip) certs = selfSignedCert();
});
after(() => {
  for (const s of servers) s.close();
});

async function listen(options: https.ServerOptions): Promise<number> {
  const server = https.createServer(options, (_req, res) => res.end('ok'));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

type Outcome = { ok: true; protocol: string; cipher: string } | { ok: false; error: string };

/** One handshake with explicit client options; the outcome, never a throw. */
function handshake(port: number, opts: tls.ConnectionOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...opts });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, error: 'timeout' });
    }, 5_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve({ ok: true, protocol: socket.getProtocol() ?? '?', cipher: socket.getCipher().name });
      socket.destroy();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, error: e.code ?? e.message });
    });
  });
}

const WEAK: [string, tls.ConnectionOptions][] = [
  ['TLS 1.1', { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }],
  ['TLS 1.0', { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }],
  ['RSA key exchange AES256-GCM-SHA384', { maxVersion: 'TLSv1.2', ciphers: 'AES256-GCM-SHA384' }],
  ['RSA key exchange AES128-SHA', { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' }],
  ['CBC with SHA-1 ECDHE-RSA-AES256-SHA', { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-SHA' }],
  ['CBC with SHA-256 ECDHE-RSA-AES128-SHA256', { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA256' }],
];

test("Node's default TLS settings accept the weak TLS 1.2 suites (what the profile is for)", { skip }, async () => {
  const port = await listen({ cert: certs.cert, key: certs.key });
  const r = await handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'AES256-GCM-SHA384' });
  assert.deepEqual(r.ok && r.cipher, 'AES256-GCM-SHA384', JSON.stringify(r));
});

test('secureHttpsOptions refuses TLS < 1.2, RSA key exchange and CBC suites', { skip }, async () => {
  const port = await listen(secureHttpsOptions(certs));
  for (const [label, opts] of WEAK) {
    const r = await handshake(port, opts);
    assert.equal(r.ok, false, `${label} was accepted: ${JSON.stringify(r)}`);
  }
});

test('secureHttpsOptions serves TLS 1.3 and TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305', { skip }, async () => {
  const port = await listen(secureHttpsOptions(certs));
  const t13 = await handshake(port, {});
  assert.deepEqual(t13, { ok: true, protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
  for (const cipher of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305']) {
    assert.deepEqual(await handshake(port, { maxVersion: 'TLSv1.2', ciphers: cipher }), { ok: true, protocol: 'TLSv1.2', cipher });
  }
  // A client offering one weak suite among good ones still gets a good one.
  const mixed = await handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'AES256-GCM-SHA384:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES256-GCM-SHA384' });
  assert.deepEqual(mixed, { ok: true, protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384' });
});

test("the server's suite order wins over the client's", { skip }, async () => {
  const port = await listen(secureHttpsOptions(certs));
  // The client prefers ChaCha20, then AES-256; the profile lists AES-128-GCM first.
  const r = await handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256' });
  assert.deepEqual(r, { ok: true, protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' });
});

test('client-initiated renegotiation on TLS 1.2 is refused', { skip }, async () => {
  const port = await listen(secureHttpsOptions(certs));
  const outcome = await new Promise<string>((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, maxVersion: 'TLSv1.2' }, () => {
      socket.renegotiate({ rejectUnauthorized: false }, (err) => {
        resolve(err ? `refused: ${err.message}` : 'renegotiated');
        socket.destroy();
      });
    });
    socket.on('error', (e) => {
      resolve(`refused: ${e.message}`);
      socket.destroy();
    });
    setTimeout(() => resolve('timeout'), 5_000).unref();
  });
  assert.match(outcome, /^refused: .*no renegotiation/i);
});

test('tlsProfileWeakenings: anything beyond the profile is named; a subset or a higher version is not', () => {
  assert.deepEqual(tlsProfileWeakenings({}), []);
  assert.deepEqual(tlsProfileWeakenings({ ciphers: TLS_PROFILE.ciphers, minVersion: 'TLSv1.2' }), []);
  assert.deepEqual(tlsProfileWeakenings({ ciphers: 'TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES256-GCM-SHA384:!aNULL', minVersion: 'TLSv1.3' }), []);
  assert.deepEqual(tlsProfileWeakenings({ minVersion: 'TLSv1.1' }), ['minimum version TLSv1.1 (profile: TLSv1.2)']);
  assert.deepEqual(tlsProfileWeakenings({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA:HIGH' }), ['ciphers outside the profile: AES256-SHA, HIGH']);
});
