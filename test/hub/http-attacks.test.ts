/**
 * The hub's HTTP side under attack, over real HTTP: Host allowlist on every route, forwarded-address
 * garbage, malformed request targets, strict Content-Type, chunked bodies past the limit, HEAD,
 * the metrics token, the ticket endpoint during a store outage, and the HTTP rate limits.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect as netConnect } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryRevocationStore } from '../../src/auth/memory.js';
import type { Identity, RevocationTarget, RevocationStore } from '../../src/auth/types.js';
import { WsguardError } from '../../src/protocol/index.js';
import { startTestHub, removeDir, token, upload, ALICE, BOB, READER, type TestHub } from './support.js';

/** A revocation store that can be made to fail like Redis going away. */
class FlakyRevocations implements RevocationStore {
  down = false;
  readonly inner = new MemoryRevocationStore();
  async revoke(t: RevocationTarget, until: number) {
    if (this.down) throw new WsguardError('unavailable');
    await this.inner.revoke(t, until);
  }
  async isRevoked(i: Pick<Identity, 'sub' | 'jti'>, iat?: number) {
    if (this.down) throw new WsguardError('unavailable');
    return this.inner.isRevoked(i, iat);
  }
  onRevoke(l: (t: RevocationTarget) => void) {
    this.inner.onRevoke(l);
  }
  async close() {
    await this.inner.close();
  }
}

let hub: TestHub;
const revocations = new FlakyRevocations();
const publicDir = mkdtempSync(join(tmpdir(), 'wsguard-public-'));
const PAGE = '<!doctype html><title>wsguard</title><p>hello</p>';
writeFileSync(join(publicDir, 'index.html'), PAGE);

before(async () => {
  hub = await startTestHub(
    { trustProxy: ['127.0.0.0/8'], metricsToken: 'm'.repeat(24), tickets: { perIpPerMin: 1000, perUserPerMin: 1000, maxPerUser: 3, maxTotal: 1000 } },
    { publicDir, guard: { revocationStore: revocations, messageRate: { perSec: 0.5, burst: 3 } } },
  );
});
after(async () => {
  await hub.close(1000);
  removeDir(hub.dir);
  removeDir(publicDir);
});

/** A raw HTTP exchange: writes `text`, returns everything the server sends until it closes (bounded). */
function raw(text: string | Buffer[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = netConnect(hub.port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(out);
    }, timeoutMs);
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    s.on('error', (err) => (out ? undefined : reject(err)));
    s.on('connect', () => {
      for (const part of Array.isArray(text) ? text : [text]) s.write(part);
    });
  });
}

function get(path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: hub.port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('Host allowlist on every HTTP route: a DNS-rebinding Host gets 403 on /metrics, /healthz, /api/info and the page', async () => {
  for (const path of ['/metrics', '/healthz', '/api/info', '/', '/api/tickets']) {
    const evil = await get(path, { host: `rebind.attacker.example:${hub.port}` }, path === '/api/tickets' ? 'POST' : 'GET');
    assert.equal(evil.status, 403, path);
    assert.doesNotMatch(evil.body, /wsguard_|"status"|wsPath|<title>/, path);
  }
  assert.equal((await get('/healthz', { host: `127.0.0.1:${hub.port}` })).status, 200);
});

test('a trusted proxy forwarding an X-Forwarded-For that is not an address gets 400 (not the proxy\'s loopback rights)', async () => {
  for (const xff of ['garbage', '1.2.3.4, nonsense', '::ffff:zz']) {
    const r = await fetch(hub.url + '/metrics', { headers: { 'x-forwarded-for': xff } });
    assert.equal(r.status, 400, xff);
  }
  // A well-formed one from the trusted proxy (CIDR 127.0.0.0/8) is believed: remote, so /metrics is refused.
  assert.equal((await fetch(hub.url + '/metrics', { headers: { 'x-forwarded-for': '203.0.113.7' } })).status, 403);
});

test('a malformed request target answers 400, not 500', async () => {
  const out = await raw(`GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\nConnection: close\r\n\r\n`);
  assert.match(out, /^HTTP\/1\.1 400 /);
});

test('Content-Type must be exactly application/json (json-evil, text/plain and a non-UTF-8 charset are 415)', async () => {
  const body = JSON.stringify({ type: 'file_upload', payload: upload('files:acme', 'ct.pdf') });
  for (const type of ['application/json-evil', 'text/plain', 'application/jsonp', 'application/json; charset=latin1']) {
    // One identity per try: the publish rate limit (burst 3 here) must not be what answers.
    const r = await fetch(hub.url + '/api/channels/files%3Aacme/events', { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${await token(`ct-${type}`, ALICE)}` }, body });
    assert.equal(r.status, 415, type);
  }
  const alice = await token('ct-ok', ALICE);
  const ok = await fetch(hub.url + '/api/channels/files%3Aacme/events', { method: 'POST', headers: { 'content-type': 'application/json; charset=UTF-8', authorization: `Bearer ${alice}` }, body });
  assert.equal(ok.status, 201);
});

test('a body that is not valid UTF-8 is 400 naming the body, never stored as U+FFFD (the WebSocket path closes 1007)', async () => {
  const json = JSON.stringify({ type: 'file_upload', payload: upload('files:acme', 'XXX.pdf') });
  const [before, after] = json.split('XXX') as [string, string];
  const body = Buffer.concat([Buffer.from(before), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(after)]); // a UTF-8-encoded lone surrogate
  const r = await fetch(hub.url + '/api/channels/files%3Aacme/events', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await token('utf8', ALICE)}` }, body });
  assert.equal(r.status, 400);
  const answer = (await r.json()) as { error: { code: string; field?: string } };
  assert.equal(answer.error.code, 'invalid_message');
  assert.equal(answer.error.field, 'body');
});

test('HTTP publish refuses a token past its exp, clock tolerance or not (401 invalid_token), as the WebSocket gate and the ticket endpoint do', async () => {
  const late = await token('late-pub', ALICE, -5); // 5 s past exp: inside the 30 s clock tolerance
  const r = await fetch(hub.url + '/api/channels/files%3Aacme/events', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${late}` }, body: JSON.stringify({ type: 'file_upload', payload: upload('files:acme', 'late.pdf') }) });
  assert.equal(r.status, 401);
  assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'invalid_token');
});

test('a chunked body past the limit is answered 413 (and the connection closed), not reset', async () => {
  const alice = await token('chunked', ALICE);
  const chunk = Buffer.alloc(70 * 1024, 'a');
  const out = await raw([
    Buffer.from(`POST /api/channels/files%3Aacme/events HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\nAuthorization: Bearer ${alice}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`),
    Buffer.from(`${chunk.length.toString(16)}\r\n`),
    chunk,
    Buffer.from('\r\n'),
  ]);
  assert.match(out, /^HTTP\/1\.1 413 /);
  assert.match(out, /"too_large"/);
});

test('HEAD reports the real Content-Length and sends no body', async () => {
  const head = await get('/', { host: `127.0.0.1:${hub.port}` }, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers['content-length']), Buffer.byteLength(PAGE));
  assert.equal(head.body, '');
});

test('/metrics token: a wrong token of any length is 403 (never 500); the right one is 200', async () => {
  const remote = { 'x-forwarded-for': '203.0.113.9' };
  for (const guess of ['m', 'm'.repeat(23) + 'x', 'm'.repeat(25), 'x'.repeat(300)]) {
    assert.equal((await fetch(hub.url + '/metrics', { headers: { ...remote, authorization: `Bearer ${guess}` } })).status, 403, guess.slice(0, 8));
  }
  assert.equal((await fetch(hub.url + '/metrics', { headers: { ...remote, authorization: `Bearer ${'m'.repeat(24)}` } })).status, 200);
});

test('ticket endpoint during a revocation-store outage: 503 + Retry-After, no failed attempt charged (more tries than the burst)', async () => {
  const alice = await token('alice', ALICE);
  const post = () => fetch(hub.url + '/api/tickets', { method: 'POST', headers: { authorization: `Bearer ${alice}`, 'x-forwarded-for': '198.51.100.20' } });
  revocations.down = true;
  try {
    for (let i = 0; i < 15; i++) {
      const r = await post();
      assert.equal(r.status, 503, `attempt ${i}`);
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'unavailable');
    }
    // HTTP publish uses the same check.
    const pub = await fetch(hub.url + '/api/channels/files%3Aacme/events', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}`, 'x-forwarded-for': '198.51.100.20' }, body: '{}' });
    assert.equal(pub.status, 503);
  } finally {
    revocations.down = false;
  }
  assert.equal((await post()).status, 200, 'the IP was not throttled by the outage');
});

test('tickets: at most maxPerUser outstanding per subject (429); redeeming one frees a slot; outstanding and refusals in metrics', async () => {
  const bob = await token('bob', BOB);
  const mint = () => fetch(hub.url + '/api/tickets', { method: 'POST', headers: { authorization: `Bearer ${bob}` } });
  const got: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await mint();
    assert.equal(r.status, 200);
    got.push(((await r.json()) as { ticket: string }).ticket);
  }
  const capped = await mint();
  assert.equal(capped.status, 429);
  assert.ok(capped.headers.get('retry-after'));
  // Another subject is not affected.
  assert.equal((await fetch(hub.url + '/api/tickets', { method: 'POST', headers: { authorization: `Bearer ${await token('reader', READER)}` } })).status, 200);
  const WebSocket = (await import('ws')).default;
  const ws = new WebSocket(`${hub.wsUrl}?ticket=${got[0]}`, ['wsguard.v1']);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.close();
  assert.equal((await mint()).status, 200, 'a redeemed ticket frees its slot');
  const metrics = await (await fetch(hub.url + '/metrics')).text();
  assert.match(metrics, /wsguard_tickets_outstanding \d+/);
  assert.match(metrics, /wsguard_tickets_refused_total\{reason="ticket_cap_user"\} [1-9]/);
});

test('HTTP publish is rate-limited per identity with the WebSocket budget (messageRate); another identity still publishes', async () => {
  const carol = await token('carol-pub', ALICE);
  const pub = (t: string, i: number) =>
    fetch(hub.url + '/api/channels/files%3Aacme/events', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: JSON.stringify({ type: 'file_upload', payload: upload('files:acme', `rl-${i}.pdf`) }) });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await pub(carol, i)).status);
  assert.deepEqual(statuses.slice(0, 3), [201, 201, 201]);
  assert.ok(statuses.slice(3).every((s) => s === 429), statuses.join());
  const limited = await pub(carol, 9);
  assert.equal(limited.status, 429);
  assert.ok(limited.headers.get('retry-after'));
  assert.equal((await pub(await token('dave-pub', ALICE), 10)).status, 201);
  assert.match(await (await fetch(hub.url + '/metrics')).text(), /wsguard_http_rate_limited_total\{route="publish"\} [1-9]/);
});
