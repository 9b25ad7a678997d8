import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Weak, audit } from './setup.js';
import { startSocketIoServer } from '../../../fixtures/socketio-server.js';
import { ALLOWED, runCheck, track } from '../../harness.js';

test('AUTH-02: alg none / ignored signature / ignored expiry → critical finding; verified JWT → pass', async () => {
  const none = await audit('WSG-AUTH-02', { acceptAlgNone: true });
  assert.equal(none.findings[0]?.severity, 'critical');
  assert.match(none.findings[0]?.evidence ?? '', /alg: none/);
  const sig = await audit('WSG-AUTH-02', { ignoreSignature: true });
  assert.match(sig.findings[0]?.evidence ?? '', /signature byte flipped/);
  const exp = await audit('WSG-AUTH-02', { ignoreExpiry: true }, async (s) => ({ expiredToken: await s.mintToken('alice', -60) }));
  assert.match(exp.findings[0]?.evidence ?? '', /expired token/);
  const ok = await audit('WSG-AUTH-02', {}, (_s, _t) => ({}));
  assert.equal(ok.result.status, 'pass');
});

test('AUTH-02: token for another audience accepted → finding; audience checked → pass', async () => {
  const other = (s: Weak) => s.mintToken('alice', 3600, 'other-api');
  const weak = await audit('WSG-AUTH-02', { audience: 'this-api', ignoreAudience: true }, async (s) => ({ otherAudienceToken: await other(s) }));
  assert.match(weak.findings[0]?.evidence ?? '', /another audience/);
  const ok = await audit('WSG-AUTH-02', { audience: 'this-api' }, async (s) => ({ otherAudienceToken: await other(s) }));
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});

test('AUTH-02: without a canary a 101 for a forged token counts (anonymous gets 401)', async () => {
  const r = await audit('WSG-AUTH-02', { acceptAlgNone: true }, () => ({ canary: undefined, canaryExpect: undefined }));
  assert.equal(r.findings[0]?.confidence, 'likely');
});

// Per-user canary: a forged identity's answer (protected-data-of-alicr) does not match it, only its shape does.
const ALICE_ONLY = { canary: '{"type":"whoami"}', canaryExpect: 'protected-data-of-alice\\b' };

test('AUTH-02: opaque token checked by its prefix only → high finding with the exchange; the made-up one is refused', async () => {
  const r = await audit('WSG-AUTH-02', { opaqueTokenPrefix: 'tok-' }, () => ({ credentials: { token: 'tok-alice' }, ...ALICE_ONLY }));
  assert.equal(r.result.status, 'fail', r.result.reason);
  assert.deepEqual(r.findings.map((f) => [f.severity, f.confidence]), [['high', 'likely']]);
  const evidence = r.findings[0]?.evidence ?? '';
  assert.match(evidence, /token \(sent as header\), last character changed \(tok…cr\) → 101, canary answered \(shaped like the operator's own answer\): .*protected-data-of-alicr/);
  assert.doesNotMatch(evidence, /made-up value/);
  assert.doesNotMatch(evidence, /tok-alice/, 'the credential itself is masked');
});

test('AUTH-02: the credential in a --header (Authorization: Bearer <opaque>) is tampered too', async () => {
  const r = await audit('WSG-AUTH-02', { opaqueTokenPrefix: 'tok-' }, () => ({ credentials: { headers: { Authorization: 'Bearer tok-alice' } }, ...ALICE_ONLY }));
  assert.match(r.findings[0]?.evidence ?? '', /header Authorization, last character changed \(Bearer tok…cr\) → 101/);
});

test('AUTH-02: any session cookie value served → high finding for the tampered and the made-up cookie; a real session store → pass', async () => {
  const weak = await audit('WSG-AUTH-02', { auth: 'cookie', acceptAnySessionCookie: true }, () => ({ credentials: { cookie: 'sid=alice' }, ...ALICE_ONLY }));
  assert.deepEqual(weak.findings.map((f) => f.severity), ['high']);
  assert.match(weak.findings[0]?.evidence ?? '', /cookie sid, last character changed \(a…\) → 101, canary answered/);
  assert.match(weak.findings[0]?.evidence ?? '', /cookie sid, made-up value/);
  const ok = await audit('WSG-AUTH-02', { auth: 'cookie' }, (s) => ({ credentials: { cookie: s.createSession('alice') }, ...ALICE_ONLY }));
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  assert.deepEqual(ok.findings, []);
});

test('AUTH-02: a cookie the server does not check (the bearer token authenticates) is not reported', async () => {
  const r = await audit('WSG-AUTH-02', {}, (_s, token) => ({ credentials: { token, cookie: 'theme=dark' } }));
  assert.equal(r.result.status, 'pass', r.result.reason);
});

test('AUTH-02: Socket.IO middleware that takes any token with the right prefix (token in the CONNECT packet) → high finding', async () => {
  const s = track(await startSocketIoServer({ authTokenPrefix: 'tok-' }));
  const r = await runCheck('WSG-AUTH-02', s.url, { allowedOrigins: [ALLOWED], credentials: { token: 'tok-alice' }, canary: '421["whoami"]', canaryExpect: 'alice@example\\.com' });
  assert.equal(r.result.status, 'fail', r.result.reason);
  assert.deepEqual(r.findings.map((f) => f.severity), ['high']);
  assert.match(r.findings[0]?.evidence ?? '', /last character changed \(tok…cr\) → 101, canary answered \(shaped like the operator's own answer\): 431\[\{.*alicr@example\.com/);
});

/** Refuses a handshake without a bearer token (401), upgrades any token at all, and never answers a message. */
async function silentAnyTokenServer(): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (!/^Bearer \S/.test(req.headers.authorization ?? '')) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, () => { /* open, and silent: the canary is never answered */ });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(); server.close(() => resolve()); }),
  };
}

test('AUTH-02: the operator\'s own canary is never answered → skipped with the reason, not a pass (no evidence either way)', async () => {
  const s = track(await silentAnyTokenServer());
  const jwt = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"alice"}').toString('base64url')}.c2lnbmF0dXJl`;
  const r = await runCheck('WSG-AUTH-02', s.url, { allowedOrigins: [ALLOWED], credentials: { token: jwt }, canary: '{"type":"whoami"}', canaryExpect: 'alice' });
  assert.equal(r.result.status, 'skipped', r.result.reason);
  assert.match(r.result.reason ?? '', /canary/);
  assert.deepEqual(r.findings, []);
});
