/**
 * The baseline handshake: the operator's credentials in the very first request (a cookie-only
 * endpoint that answers nothing without it), sent as a browser sends it, one line with a hint
 * when it is refused, and the certificate trust rules for wss:// (--ca, --insecure).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { discoverEndpoints } from '../../src/audit/discover.js';
import { BaselineFailedError, runAudit, UntrustedCertificateError } from '../../src/audit/runner.js';
import type { CheckModule } from '../../src/audit/types.js';
import { caSignedCert, hasOpenssl, selfSignedCert } from '../fixtures/tls-certs.js';

const closers: Array<() => void> = [];
after(() => { for (const c of closers) c(); });

const accept = (key: string) => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

interface Seen { head: string; chunks: number }

/**
 * A hand-written upgrade handler, as fragile as real ones: it answers only a request carrying
 * `Cookie: PHPSESSID=good` (anything else: the connection is closed without a word), and it
 * records the request head as it arrived.
 */
async function cookieOnlyServer(secure?: { key: string; cert: string }): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const onSocket = (sock: net.Socket) => {
    let buf = '';
    let chunks = 0;
    sock.on('error', () => undefined);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      chunks++;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.slice(0, end);
      seen.push({ head, chunks });
      const key = /^Sec-WebSocket-Key: (.+)$/m.exec(head)?.[1];
      if (!/^Cookie: PHPSESSID=good$/m.test(head) || !key) return void sock.destroy();
      sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`);
      setTimeout(() => sock.destroy(), 500).unref();
    });
  };
  const server = secure ? tls.createServer(secure, onSocket) : net.createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return { url: `${secure ? 'wss' : 'ws'}://127.0.0.1:${(server.address() as net.AddressInfo).port}/chat`, seen };
}

const probe: CheckModule = {
  meta: { id: 'WSG-ORIGIN-99', title: 't', area: 'ORIGIN', severity: 'low', mode: 'safe', references: ['x'], remediation: 'r', description: 'd' },
  run: async (ctx) => { if (!(await ctx.baselineOk())) ctx.skip('baseline refused'); },
};

test('the operator\'s cookie, headers and Origin are in the first handshake, laid out as a browser sends them, in one write', async () => {
  const s = await cookieOnlyServer();
  const { report } = await runAudit(new URL(s.url), {
    credentials: { cookie: 'PHPSESSID=good', headers: { 'x-api-key': 'k1' } }, subprotocols: ['chat.v2'], allowedOrigins: ['https://app.example.com'], requestTimeoutMs: 2000,
  }, { checks: [probe] });
  assert.equal(report.checks[0]?.status, 'pass', report.checks[0]?.reason);
  const first = s.seen[0];
  assert.ok(first);
  assert.equal(first.chunks, 1, 'the request head arrives in one write');
  const names = first.head.split('\r\n').slice(1).map((l) => l.slice(0, l.indexOf(':')));
  assert.deepEqual(names, ['Host', 'Connection', 'Pragma', 'Cache-Control', 'User-Agent', 'Upgrade', 'Origin', 'Sec-WebSocket-Version', 'Accept-Language', 'X-Api-Key', 'Cookie', 'Sec-WebSocket-Key', 'Sec-WebSocket-Protocol']);
  assert.match(first.head, /^GET \/chat HTTP\/1\.1\r\n/);
  assert.match(first.head, /\r\nOrigin: https:\/\/app\.example\.com\r\n/);
});

test('without the cookie the same endpoint is unreachable: one line naming what happened', async () => {
  const s = await cookieOnlyServer();
  await assert.rejects(runAudit(new URL(s.url), { requestTimeoutMs: 1000 }, { checks: [probe] }), /unreachable: connection closed without a response/);
});

test('a refused baseline stops the audit with a hint read from the answer (missing subprotocol, credentials, Origin)', async () => {
  const http = (status: string, body: string, extra = '') => `HTTP/1.1 ${status}\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const answers: Record<string, string> = {
    '/sub': http('400 Bad Request', 'unsupported or missing subprotocol'),
    '/auth': http('401 Unauthorized', '', 'WWW-Authenticate: Bearer\r\n'),
    '/origin': http('403 Forbidden', 'Origin not allowed'),
  };
  const server = net.createServer((sock) => sock.once('data', (d) => {
    const path = /^GET (\S+)/.exec(d.toString('latin1'))?.[1] ?? '';
    sock.end(answers[path] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  const base = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  let ran = false;
  const never: CheckModule = { ...probe, run: async () => { ran = true; } };
  const expect: Record<string, RegExp> = { '/sub': /HTTP 400.*subprotocol.*give --subprotocol NAME/, '/auth': /HTTP 401.*give --cookie, --token or --header/, '/origin': /HTTP 403.*refused Origin https:\/\/127\.0\.0\.1.*give --origin/, '/none': /HTTP 404.*check the URL/ };
  for (const [path, re] of Object.entries(expect)) {
    await assert.rejects(runAudit(new URL(base + path), { requestTimeoutMs: 1000 }, { checks: [never] }), (e: Error) => e instanceof BaselineFailedError && re.test(e.message) && !e.message.includes('\n'));
  }
  assert.equal(ran, false, 'no check runs after a refused baseline');
});

test('wss://: an untrusted certificate stops the audit (try --ca / --insecure); --ca trusts a private CA; --insecure skips verification', { skip: !hasOpenssl() && 'needs openssl' }, async () => {
  const self = await cookieOnlyServer(selfSignedCert());
  const opts = { credentials: { cookie: 'PHPSESSID=good' }, requestTimeoutMs: 2000 };
  await assert.rejects(runAudit(new URL(self.url), opts, { checks: [probe] }), (e: Error) => e instanceof UntrustedCertificateError && /give --ca FILE \(or NODE_EXTRA_CA_CERTS\).*--insecure/.test(e.message));
  const insecure = await runAudit(new URL(self.url), { ...opts, insecure: true }, { checks: [probe] });
  assert.equal(insecure.report.checks[0]?.status, 'pass');
  const certs = caSignedCert();
  const priv = await cookieOnlyServer(certs);
  await assert.rejects(runAudit(new URL(priv.url), opts, { checks: [probe] }), UntrustedCertificateError);
  const trusted = await runAudit(new URL(priv.url), { ...opts, ca: certs.ca }, { checks: [probe] });
  assert.equal(trusted.report.checks[0]?.status, 'pass', trusted.report.checks[0]?.reason);
});

test('--discover sends the operator\'s credentials too: a cookie-only endpoint is found with the cookie, unreachable without', async () => {
  const s = await cookieOnlyServer();
  const http = s.url.replace(/^ws/, 'http').replace(/\/chat$/, '');
  const found = await discoverEndpoints(http, undefined, 1000, [['Cookie', 'PHPSESSID=good']]);
  assert.ok(found.some((u) => u.pathname === '/ws'), found.map((u) => u.href).join(' '));
  assert.ok(s.seen.every((r) => /\r\nCookie: PHPSESSID=good(\r\n|$)/.test(r.head)));
  await assert.rejects(discoverEndpoints(http, undefined, 1000), /unreachable/);
});

test('a baseline handshake still refused 429 after the retries → the one line says the auditor is rate-limited', async () => {
  const { startFragileServer } = await import('../fixtures/fragile-server.js');
  const s = await startFragileServer({ rateLimitAfterHandshakes: 0 });
  closers.push(() => void s.close());
  const probe: CheckModule = { meta: { id: 'WSG-ORIGIN-97', title: 't', area: 'ORIGIN', severity: 'low', mode: 'safe', references: ['x'], remediation: 'r', description: 'd' }, run: async () => undefined };
  const t0 = Date.now();
  await assert.rejects(runAudit(new URL(s.url), { requestTimeoutMs: 2000, throttleWaitMs: 3000 }, { checks: [probe] }), (e: Error) => {
    assert.ok(e instanceof BaselineFailedError);
    assert.match(e.message, /^baseline handshake got HTTP 429 Too Many Requests, not 101: the server is rate-limiting the auditor's handshakes: rerun later or slower \(--concurrency 1\), or allowlist the auditor's address/);
    return true;
  });
  // Retry-After: 1 waited out while the 3 s budget lasted (three waits), then given up.
  assert.equal(s.handshakes, 4, 'waited out Retry-After three times before giving up');
  assert.ok(Date.now() - t0 >= 3000, `${Date.now() - t0} ms`);
});
