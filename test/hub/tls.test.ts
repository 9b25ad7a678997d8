/**
 * The hub serving TLS itself (src/hub/tls.ts), over real TLS sockets: the profile refuses weak
 * versions and suites, a reload serves a new certificate to new handshakes while an open WebSocket
 * stays, a broken new pair is refused (one log line) with the hub still up on the old one, the
 * files are polled, and the expiry shows in /healthz, /metrics and the log.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { pino, type Logger } from 'pino';
import WebSocket from 'ws';
import { startTestHub, removeDir, token, ALICE, type TestHub } from './support.js';
import { type HubConfig } from '../../src/config/index.js';
import { WsguardConfigError } from '../../src/protocol/failures.js';
import { SUBPROTOCOL } from '../../src/protocol/index.js';
import { caSignedCert, expiredCert, hasOpenssl, notYetValidCert, selfSignedCert, type TestCerts } from '../fixtures/tls-certs.js';

const skip = !hasOpenssl() && 'needs the openssl CLI';
let first: TestCerts;
let second: TestCerts;
const hubs: TestHub[] = [];
const dirs: string[] = [];
before(() => {
  if (skip) return;
  first = caSignedCert(90);
  second = caSignedCert(30);
});
after(async () => {
  for (const h of hubs) {
    await h.close(1000);
    removeDir(h.dir);
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface LogLine { level: number; msg: string; [k: string]: unknown }

/** A pino logger whose lines are kept, parsed. */
function capture(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** Writes a pair to files in a fresh directory and returns the TLS config for it. */
function tlsFiles(pair: TestCerts, extra: Partial<NonNullable<HubConfig['tls']>> = {}): NonNullable<HubConfig['tls']> & { certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-tls-'));
  dirs.push(dir);
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, pair.cert);
  writeFileSync(keyFile, pair.key);
  return { cert: pair.cert, key: pair.key, certFile, keyFile, reloadIntervalMs: 0, ...extra };
}

/** Replaces a file the way ACME clients do: write a temporary file, then rename over. */
function replace(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

async function tlsHub(config: NonNullable<HubConfig['tls']>): Promise<TestHub & { lines: LogLine[] }> {
  const { logger, lines } = capture();
  const hub = await startTestHub({ tls: config }, { logger });
  hubs.push(hub);
  return Object.assign(hub, { lines });
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

type Outcome = { ok: true; protocol: string; cipher: string; fingerprint: string } | { ok: false; error: string };

function handshake(port: number, opts: tls.ConnectionOptions = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...opts });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, error: 'timeout' });
    }, 5_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve({ ok: true, protocol: socket.getProtocol() ?? '?', cipher: socket.getCipher().name, fingerprint: socket.getPeerCertificate().fingerprint256 });
      socket.destroy();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, error: e.code ?? e.message });
    });
  });
}

const servedFingerprint = async (port: number) => {
  const r = await handshake(port);
  assert.ok(r.ok, JSON.stringify(r));
  return r.fingerprint;
};

function get(url: string, ca: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** An authenticated wss connection; resolves with it and the certificate it was served. */
async function openWss(hub: TestHub, ca: string[]): Promise<{ ws: WebSocket; fingerprint: string }> {
  const ws = new WebSocket(hub.wsUrl, [SUBPROTOCOL], { ca, headers: { Authorization: `Bearer ${await token('alice', ALICE)}` } });
  let served = '';
  ws.once('upgrade', (res) => (served = (res.socket as tls.TLSSocket).getPeerCertificate().fingerprint256));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, fingerprint: served };
}

let nextId = 1;
function request(ws: WebSocket, type: string, payload: object): Promise<{ type: string; id?: string }> {
  const id = `r${nextId++}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${type}`)), 5_000);
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(String(data)) as { type: string; id?: string };
      if (m.id !== id) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(m);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type, id, payload }));
  });
}

const refusals = (lines: LogLine[]) => lines.filter((l) => l.msg.startsWith('tls: new certificate refused'));

test('the hub refuses TLS 1.1, RSA key exchange and CBC/SHA-1 suites, and serves TLS 1.3 / ECDHE-GCM', { skip }, async () => {
  const hub = await tlsHub(tlsFiles(first));
  assert.match(hub.wsUrl, /^wss:\/\//);
  for (const opts of [
    { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' },
    { maxVersion: 'TLSv1.2', ciphers: 'AES256-GCM-SHA384' },
    { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-SHA' },
  ] as tls.ConnectionOptions[]) {
    const r = await handshake(hub.port, opts);
    assert.equal(r.ok, false, `${JSON.stringify(opts)} accepted: ${JSON.stringify(r)}`);
  }
  assert.deepEqual(await handshake(hub.port).then((r) => r.ok && r.protocol), 'TLSv1.3');
  assert.deepEqual(await handshake(hub.port, { maxVersion: 'TLSv1.2' }).then((r) => r.ok && r.cipher), 'ECDHE-RSA-AES128-GCM-SHA256');
});

test('reload: new handshakes get the new certificate, an open WebSocket stays and keeps working', { skip }, async () => {
  const files = tlsFiles(first);
  const hub = await tlsHub(files);
  const ca = [first.ca!, second.ca!];
  assert.equal(await servedFingerprint(hub.port), fingerprint(first.cert));
  const open = await openWss(hub, ca);
  assert.equal(open.fingerprint, fingerprint(first.cert));
  assert.equal((await request(open.ws, 'subscribe', { channel: 'files:acme' })).type, 'subscribed');

  replace(files.keyFile, second.key);
  replace(files.certFile, second.cert);
  assert.equal(hub.tls!.reload('test'), true);

  assert.equal(await servedFingerprint(hub.port), fingerprint(second.cert), 'a new handshake gets the new certificate');
  const fresh = await openWss(hub, ca);
  assert.equal(fresh.fingerprint, fingerprint(second.cert));
  assert.equal(open.ws.readyState, WebSocket.OPEN, 'the connection opened before the reload is still open');
  assert.equal((await request(open.ws, 'subscribe', { channel: 'files:acme/reports' })).type, 'subscribed', 'and still answered');
  // The profile survives the reload (setSecureContext replaces every TLS option).
  assert.equal((await handshake(hub.port, { maxVersion: 'TLSv1.2', ciphers: 'AES256-GCM-SHA384' })).ok, false);

  const health = JSON.parse((await get(`${hub.url}/healthz`, ca)).body) as { tls: { notAfter: string; daysLeft: number } };
  assert.equal(health.tls.notAfter, new Date(new X509Certificate(second.cert).validTo).toISOString());
  assert.ok(health.tls.daysLeft >= 28 && health.tls.daysLeft <= 30, JSON.stringify(health.tls));
  const metrics = await hub.guard.registry.metrics();
  assert.match(metrics, new RegExp(`wsguard_tls_certificate_expiry_timestamp_seconds ${Math.floor(Date.parse(new X509Certificate(second.cert).validTo) / 1000)}\\b`));
  assert.match(metrics, /wsguard_tls_reloads_total\{outcome="reloaded"\} 1\b/);
  assert.ok(hub.lines.some((l) => l.msg === 'tls: new certificate served to new handshakes' && l.fingerprint256 === fingerprint(second.cert)));
  open.ws.close();
  fresh.ws.close();
});

test('a broken new pair is refused with one log line each; the hub stays up on the old certificate', { skip }, async () => {
  const files = tlsFiles(first);
  const hub = await tlsHub(files);
  const other = selfSignedCert();
  const broken: [string, () => void, RegExp][] = [
    ['not PEM', () => replace(files.certFile, 'garbage\n'), /no PEM certificate/],
    ['key of another certificate', () => (replace(files.certFile, second.cert), replace(files.keyFile, other.key)), /key does not match the certificate/],
    ['key not PEM', () => (replace(files.certFile, second.cert), replace(files.keyFile, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')), /no unencrypted PEM private key/],
    ['expired', () => { const e = expiredCert(); replace(files.certFile, e.cert); replace(files.keyFile, e.key); }, /expired on 2020-02-01/],
    ['missing file', () => rmSync(files.certFile), /cannot read .*cert\.pem \(ENOENT\)/],
  ];
  for (const [label, breakIt, reason] of broken) {
    const before = refusals(hub.lines).length;
    breakIt();
    assert.equal(hub.tls!.reload('test'), false, label);
    const lines = refusals(hub.lines).slice(before);
    assert.equal(lines.length, 1, `${label}: one log line`);
    assert.match(lines[0]!.msg, reason, label);
    assert.equal(lines[0]!.level, 50, `${label}: logged as an error`);
    assert.equal(await servedFingerprint(hub.port), fingerprint(first.cert), `${label}: still serving the old certificate`);
  }
  const health = await get(`${hub.url}/healthz`, [first.ca!]);
  assert.equal(health.status, 200);
  assert.match(await hub.guard.registry.metrics(), /wsguard_tls_reloads_total\{outcome="refused"\} 5\b/);
  // The files fixed: the next reload takes them.
  replace(files.certFile, second.cert);
  replace(files.keyFile, second.key);
  assert.equal(hub.tls!.reload('test'), true);
  assert.equal(await servedFingerprint(hub.port), fingerprint(second.cert));
});

test('the files are polled: a rotated pair is picked up, a bad one is logged once, not at every poll', { skip }, async () => {
  const files = tlsFiles(first, { reloadIntervalMs: 50 });
  const hub = await tlsHub(files);
  replace(files.keyFile, second.key);
  replace(files.certFile, second.cert);
  for (let i = 0; i < 100 && (await servedFingerprint(hub.port)) !== fingerprint(second.cert); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await servedFingerprint(hub.port), fingerprint(second.cert), 'picked up without SIGHUP');

  replace(files.keyFile, first.key); // half-way through a rotation: the key no longer matches
  for (let i = 0; i < 100 && refusals(hub.lines).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(refusals(hub.lines).length, 1);
  await new Promise((r) => setTimeout(r, 400)); // several more polls of the same bad pair
  assert.equal(refusals(hub.lines).length, 1, 'the same bad pair is not logged again');
  assert.equal(await servedFingerprint(hub.port), fingerprint(second.cert));
  replace(files.certFile, first.cert); // the rotation completes
  for (let i = 0; i < 100 && (await servedFingerprint(hub.port)) !== fingerprint(first.cert); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await servedFingerprint(hub.port), fingerprint(first.cert));
});

test('operator overrides: a weaker cipher list works and is logged as a warning; a narrower one is silent', { skip }, async () => {
  const weak = await tlsHub(tlsFiles(first, { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA' }));
  const warning = weak.lines.find((l) => /weakens the TLS profile/.test(l.msg));
  assert.ok(warning, 'a warning is logged');
  assert.equal(warning.level, 40);
  assert.match(warning.msg, /ciphers outside the profile: AES256-SHA/);
  assert.deepEqual(await handshake(weak.port, { maxVersion: 'TLSv1.2', ciphers: 'AES256-SHA' }).then((r) => r.ok && r.cipher), 'AES256-SHA');

  const narrow = await tlsHub(tlsFiles(first, { ciphers: 'TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES256-GCM-SHA384', minVersion: 'TLSv1.3' }));
  assert.equal(narrow.lines.filter((l) => /weakens/.test(l.msg)).length, 0);
  assert.equal((await handshake(narrow.port, { maxVersion: 'TLSv1.2' })).ok, false, 'TLS 1.2 refused with minVersion TLSv1.3');
});

test('a certificate near expiry is logged as a warning and shows in /healthz', { skip }, async () => {
  const soon = caSignedCert(3);
  const hub = await tlsHub(tlsFiles(soon));
  const warning = hub.lines.find((l) => /expires in [\d.]+ days/.test(l.msg));
  assert.ok(warning, 'expiry warning logged');
  assert.equal(warning.level, 40);
  const health = JSON.parse((await get(`${hub.url}/healthz`, [soon.ca!])).body) as { tls: { notAfter: string; daysLeft: number } };
  // Rounded down to a tenth: 2.99 days left is 2.9, not 2 (the old floor) and not 3.
  const exact = (Date.parse(health.tls.notAfter) - Date.now()) / 86_400_000;
  assert.ok(health.tls.daysLeft <= exact && health.tls.daysLeft > exact - 0.11, `${health.tls.daysLeft} for ${exact}`);
  assert.equal(Math.round(health.tls.daysLeft * 10), health.tls.daysLeft * 10, 'one decimal');
  const far = await tlsHub(tlsFiles(first));
  assert.equal(far.lines.filter((l) => /expires in/.test(l.msg)).length, 0);
});

test('a bad certificate at start-up stops the hub with a configuration error naming the key', { skip }, async () => {
  const other = selfSignedCert();
  const { logger } = capture();
  const refused = (key: string, reason: RegExp) => (e: unknown) => {
    assert.ok(e instanceof WsguardConfigError, String(e));
    assert.equal(e.key, key);
    assert.match(e.message, reason);
    return true;
  };
  await assert.rejects(startTestHub({ tls: { cert: first.cert, key: other.key } }, { logger }), refused('WSGUARD_TLS_KEY', /the key does not match the certificate/));
  await assert.rejects(startTestHub({ tls: { cert: 'nope', key: other.key } }, { logger }), refused('WSGUARD_TLS_CERT', /the certificate file holds no PEM certificate/));
  // The same checks as a reload: a certificate a reload refuses does not start a hub that would call itself healthy.
  const expired = expiredCert();
  await assert.rejects(startTestHub({ tls: { cert: expired.cert, key: expired.key } }, { logger }), refused('WSGUARD_TLS_CERT', /expired on 2020-02-01/));
  const future = notYetValidCert();
  await assert.rejects(startTestHub({ tls: { cert: future.cert, key: future.key } }, { logger }), refused('WSGUARD_TLS_CERT', /not valid before 2090-01-01/));
});

test('/healthz shows the last reload (time, outcome, reason) and the reload counter starts at zero for each outcome', { skip }, async () => {
  const files = tlsFiles(first);
  const hub = await tlsHub(files);
  type Health = { tls: { notAfter: string; daysLeft: number; lastReload: { at: string; outcome: string; reason?: string } | null } };
  const health = async () => (JSON.parse((await get(`${hub.url}/healthz`, [first.ca!])).body) as Health).tls;
  assert.equal((await health()).lastReload, null, 'no reload yet');
  const metrics = await hub.guard.registry.metrics();
  assert.match(metrics, /wsguard_tls_reloads_total\{outcome="reloaded"\} 0\b/);
  assert.match(metrics, /wsguard_tls_reloads_total\{outcome="refused"\} 0\b/);

  replace(files.keyFile, second.key); // a key of another certificate
  const before = Date.now();
  assert.equal(hub.tls!.reload('test'), false);
  const refused = (await health()).lastReload;
  assert.equal(refused?.outcome, 'refused');
  assert.equal(refused?.reason, 'the key does not match the certificate');
  assert.ok(Date.parse(refused!.at) >= before - 1000 && Date.parse(refused!.at) <= Date.now(), refused!.at);

  replace(files.certFile, second.cert);
  assert.equal(hub.tls!.reload('test'), true);
  const ok = (await health()).lastReload;
  assert.equal(ok?.outcome, 'reloaded');
  assert.equal(ok?.reason, undefined);
});

test('plain HTTP to the TLS port: the connection is closed without an HTTP answer (documented), the hub keeps serving', { skip }, async () => {
  const hub = await tlsHub(tlsFiles(first));
  const reply = await new Promise<{ bytes: Buffer; closed: boolean }>((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: '127.0.0.1', port: hub.port }, () => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    const timer = setTimeout(() => (socket.destroy(), resolve({ bytes: Buffer.concat(chunks), closed: false })), 5_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => (clearTimeout(timer), resolve({ bytes: Buffer.concat(chunks), closed: true })));
  });
  assert.equal(reply.closed, true, 'closed, not left hanging');
  // Node answers a plain request on a TLS port with nothing (nodejs/node#23331); docs/configuration.md says so.
  assert.ok(!reply.bytes.toString('latin1').startsWith('HTTP/'), reply.bytes.toString('latin1'));
  assert.equal((await get(`${hub.url}/healthz`, [first.ca!])).status, 200);
});

test('default allowed origins with TLS are the https:// ones (as docs/configuration.md says); http:// of the same host is refused', { skip }, async () => {
  const hub = await tlsHub(tlsFiles(first));
  const tryOrigin = (origin: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(hub.wsUrl, [SUBPROTOCOL], { ca: [first.ca!], origin, headers: { Authorization: `Bearer ${ALICE_TOKEN}` } });
      ws.once('open', () => (ws.close(), resolve(101)));
      ws.once('unexpected-response', (_req, res) => (res.resume(), ws.terminate(), resolve(res.statusCode ?? 0)));
      ws.once('error', () => resolve(-1));
    });
  const ALICE_TOKEN = await token('alice', ALICE);
  assert.equal(await tryOrigin(`https://127.0.0.1:${hub.port}`), 101);
  assert.equal(await tryOrigin(`https://localhost:${hub.port}`), 101);
  assert.equal(await tryOrigin(`http://127.0.0.1:${hub.port}`), 403);
  assert.equal(await tryOrigin(`http://localhost:${hub.port}`), 403);
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const row = doc.split('\n').find((l) => l.startsWith('| `WSGUARD_ALLOWED_ORIGINS`'));
  assert.match(row ?? '', /`https:\/\/localhost:PORT` and `https:\/\/127\.0\.0\.1:PORT` with TLS/);
});
