import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startTestHub, removeDir, TestClient, token, upload, ALICE, READER, type TestHub } from './support.js';
import { SUBPROTOCOL } from '../../src/protocol/index.js';

let hub: TestHub;
let dev: TestHub;
let origin: string;
const publicDir = mkdtempSync(join(tmpdir(), 'wsguard-public-'));
writeFileSync(join(publicDir, 'index.html'), '<!doctype html><title>wsguard</title>');
writeFileSync(join(publicDir, 'app.js'), 'export {};');

before(async () => {
  hub = await startTestHub({ trustProxy: ['127.0.0.1'], metricsToken: 'm'.repeat(24) }, { publicDir });
  dev = await startTestHub({ devMode: true }, { publicDir });
  origin = `http://127.0.0.1:${hub.port}`;
});
after(async () => {
  for (const h of [hub, dev]) {
    await h.close(1000);
    removeDir(h.dir);
  }
  removeDir(publicDir);
});

const post = (h: TestHub, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(h.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

test('every answer carries security headers and a strict CSP; the page is served from memory', async () => {
  for (const path of ['/', '/app.js', '/healthz', '/nope', '/../etc/passwd']) {
    const res = await fetch(hub.url + path);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /script-src 'self'/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('x-powered-by'), null, path);
  }
  const page = await fetch(hub.url + '/');
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>wsguard/);
  assert.equal((await fetch(hub.url + '/../etc/passwd')).status, 404);
  assert.equal((await fetch(hub.url + '/index.html', { headers: { 'if-none-match': page.headers.get('etag')! } })).status, 304);
});

test('/healthz reports the log and broker; unknown routes answer a JSON 404', async () => {
  const res = await fetch(hub.url + '/healthz');
  assert.equal(res.status, 200);
  const body = (await res.json()) as { status: string; store: boolean };
  assert.equal(body.status, 'ok');
  assert.equal(body.store, true);
  const missing = await fetch(hub.url + '/api/nothing');
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: { code: 'not_found', message: 'Not found.' } });
});

test('/metrics answers loopback clients, and others only with the metrics token', async () => {
  const local = await fetch(hub.url + '/metrics');
  assert.equal(local.status, 200);
  assert.match(await local.text(), /# TYPE/);
  // 127.0.0.1 is a trusted proxy here, so this request comes "from" 203.0.113.9.
  const remote = await fetch(hub.url + '/metrics', { headers: { 'x-forwarded-for': '203.0.113.9' } });
  assert.equal(remote.status, 403);
  const withToken = await fetch(hub.url + '/metrics', { headers: { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${'m'.repeat(24)}` } });
  assert.equal(withToken.status, 200);
});

test('POST /api/channels/:channel/events publishes with the same JSON as the WebSocket frame', async () => {
  const r = await TestClient.connect(hub, await token('reader', READER));
  await r.request('subscribe', { channel: 'files:acme' });
  const alice = await token('alice', ALICE);
  const res = await post(hub, '/api/channels/files%3Aacme/events', { type: 'file_upload', payload: upload('files:acme', 'api/report.pdf', 7) }, { authorization: `Bearer ${alice}` });
  assert.equal(res.status, 201);
  const { seq } = (await res.json()) as { seq: number };
  await r.until(() => r.events().includes(seq));
  const del = await post(hub, '/api/channels/files%3Aacme/events', { type: 'file_delete', payload: { path: 'api/report.pdf' } }, { authorization: `Bearer ${alice}` });
  assert.equal(del.status, 201);
  r.close();
});

test('the publish API refuses what the WebSocket refuses, with the registry status', async () => {
  const alice = await token('alice', ALICE);
  const reader = await token('reader', READER);
  const ok = { type: 'file_upload', payload: upload('files:acme', 'x.pdf') };
  const cases: [string, unknown, Record<string, string>, number, string][] = [
    ['/api/channels/files%3Aacme/events', ok, {}, 401, 'unauthenticated'],
    ['/api/channels/files%3Aacme/events', ok, { authorization: 'Bearer not.a.jwt' }, 401, 'invalid_token'],
    ['/api/channels/files%3Aacme/events', ok, { authorization: `Bearer ${reader}` }, 403, 'forbidden'],
    ['/api/channels/files%3Aglobex/events', { type: 'file_upload', payload: upload('files:globex', 'x.pdf') }, { authorization: `Bearer ${alice}` }, 403, 'forbidden'],
    ['/api/channels/files%3Aacme/events', { type: 'file_upload', payload: upload('files:acme', '../x') }, { authorization: `Bearer ${alice}` }, 400, 'invalid_message'],
    ['/api/channels/files%3Aacme/events', { type: 'file_upload', payload: upload('files:other', 'x.pdf') }, { authorization: `Bearer ${alice}` }, 400, 'invalid_message'],
    ['/api/channels/files%3Aacme/events', { type: 'subscribe', payload: {} }, { authorization: `Bearer ${alice}` }, 400, 'unknown_type'],
    ['/api/channels/files%3Aacme/events', '{"type":"file_upload","payload":{"__proto__":{"x":1}}}', { authorization: `Bearer ${alice}` }, 400, 'invalid_message'],
    ['/api/channels/files%3Aacme/events', 'x'.repeat(70_000), { authorization: `Bearer ${alice}` }, 413, 'too_large'],
    ['/api/channels/bad%2F..%2Fname/events', ok, { authorization: `Bearer ${alice}` }, 400, 'invalid_message'],
  ];
  for (const [path, body, headers, status, code] of cases) {
    const res = await post(hub, path, body, headers);
    assert.equal(res.status, status, `${path} ${code}`);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, code);
  }
  const form = await fetch(hub.url + '/api/channels/files%3Aacme/events', { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${alice}` }, body: '{}' });
  assert.equal(form.status, 415);
});

test('tickets: minted over HTTP for an allowed Origin, used once in the WebSocket URL', async () => {
  const alice = await token('alice', ALICE);
  const res = await post(hub, '/api/tickets', {}, { authorization: `Bearer ${alice}`, origin });
  assert.equal(res.status, 200);
  const { ticket } = (await res.json()) as { ticket: string };
  const open = (t: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`${hub.wsUrl}?ticket=${t}`, [SUBPROTOCOL], { origin });
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
      ws.once('error', () => resolve(-1));
    });
  assert.equal(await open(ticket), 101);
  assert.equal(await open(ticket), 401);
  const foreign = await post(hub, '/api/tickets', {}, { authorization: `Bearer ${alice}`, origin: 'https://evil.example' });
  assert.equal(foreign.status, 403);
});

test('dev tokens exist only in dev mode, for demo users, from loopback', async () => {
  const info = (await (await fetch(dev.url + '/api/info')).json()) as { devMode: boolean; demoUsers: { sub: string }[] };
  assert.equal(info.devMode, true);
  assert.deepEqual(info.demoUsers.map((u) => u.sub), ['alice', 'bob', 'carol']);
  const res = await post(dev, '/api/dev/token', { user: 'alice' });
  assert.equal(res.status, 200);
  const { token: t } = (await res.json()) as { token: string };
  const c = await TestClient.connect(dev, t);
  assert.equal((await c.request('subscribe', { channel: 'files:acme' })).type, 'subscribed');
  c.close();
  assert.equal((await post(dev, '/api/dev/token', { user: 'root' })).status, 404);
  assert.equal((await post(dev, '/api/dev/token', { user: 'alice' }, { origin: 'https://evil.example' })).status, 403);
  assert.equal((await post(hub, '/api/dev/token', { user: 'alice' })).status, 404);
  assert.equal(((await (await fetch(hub.url + '/api/info')).json()) as { devMode: boolean }).devMode, false);
});
