/**
 * The client against a real hub over real sockets, with shortened timers: quiet subscribers stay
 * connected, idle closes resume when there is something to resume, and refused credentials are loud
 * (error event and a terminal state carrying the HTTP status and reason).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { createClient, fetchTicket, ClientError, type ClientOptions, type ClientState, type FileEvent } from '../../src/client/index.js';
import { signToken } from '../../src/auth/sign.js';
import type { Connection } from '../../src/server/index.js';
import { startTestHub, removeDir, token, upload, ALICE, TestClient, type TestHub } from '../hub/support.js';
import { NodeWebSocket, waitFor } from './support/util.js';

const FAST = { heartbeatMs: 50, idleTimeoutMs: 200 };

async function hub(t: TestContext, guard: object = FAST): Promise<TestHub> {
  const h = await startTestHub({}, { guard });
  t.after(async () => {
    await h.close(1000);
    removeDir(h.dir);
  });
  return h;
}

function client(t: TestContext, h: TestHub, opts: Partial<ClientOptions>) {
  const states: ClientState[] = [];
  const errors: ClientError[] = [];
  const c = createClient({ url: h.wsUrl, WebSocket: NodeWebSocket, backoff: { initialMs: 10, maxMs: 50 }, onState: (s) => states.push(s), onError: (e) => errors.push(e), ...opts });
  t.after(() => c.close());
  return { client: c, states, errors };
}

/** A raw socket that says nothing: the idle timer's witness. */
async function silentSocket(h: TestHub): Promise<Promise<{ code: number; reason: string }>> {
  const ws = new WebSocket(h.wsUrl, ['wsguard.v1'], { headers: { Authorization: `Bearer ${await token('quiet', ALICE)}` } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

test('a subscriber on a quiet channel is not idle: it outlives connections that were closed as idle, then gets the next event', async (t) => {
  const h = await hub(t);
  const { client: c, states } = client(t, h, { token: () => token('alice', ALICE) });
  const got: FileEvent[] = [];
  await c.subscribe('files:acme', { onEvent: (e) => got.push(e) }).ready;
  // Two silent sockets opened after the subscription are closed as idle one after the other: the idle
  // timeout has passed several times over the subscriber, which never sent nor received anything.
  assert.deepEqual(await (await silentSocket(h)), { code: 4408, reason: 'idle_timeout' });
  assert.deepEqual(await (await silentSocket(h)), { code: 4408, reason: 'idle_timeout' });
  assert.equal(c.state, 'open');
  assert.equal(c.reconnects, 0);
  assert.deepEqual(states, ['open']);
  const pub = await TestClient.connect(h, await token('bob', ALICE));
  t.after(() => pub.close());
  await pub.request('file_upload', upload('files:acme', 'late.pdf'));
  await waitFor(() => got.length === 1, 'the event after the quiet spell');
  assert.equal(got[0]!.path, 'late.pdf');
});

test('an unsubscribed client is closed as idle (4408): state idle, no reconnect loop, and the next request reconnects', async (t) => {
  const h = await hub(t);
  const { client: c, states } = client(t, h, { token: () => token('alice', ALICE) });
  await c.ping();
  await waitFor(() => c.state === 'idle', 'idle close', 5000);
  // Witness: a later silent socket is closed as idle too, and the client did not come back meanwhile.
  await (await silentSocket(h));
  assert.equal(c.state, 'idle');
  assert.equal(c.reconnects, 0);
  assert.ok((await c.ping()) >= 0);
  // Waking from idle is a new connection, not the recovery of a lost one: not reconnecting, not counted.
  assert.equal(c.reconnects, 0);
  assert.deepEqual(states, ['open', 'idle', 'connecting', 'open']);
  // A subscribe while idle also brings the connection back.
  await waitFor(() => c.state === 'idle', 'idle again', 5000);
  assert.equal(await c.subscribe('files:acme', { onEvent: () => {} }).ready, 0);
  assert.equal(c.state, 'open');
  assert.equal(c.reconnects, 0);
  assert.deepEqual(states, ['open', 'idle', 'connecting', 'open', 'idle', 'connecting', 'open']);
});

test('closed with 4408 while it still has a subscription: the client reconnects and resumes from its last seq', async (t) => {
  const h = await hub(t, { heartbeatMs: 50, idleTimeoutMs: 0 });
  const conns: Connection[] = [];
  h.guard.on('connection', (conn) => conns.push(conn));
  const { client: c, states } = client(t, h, { token: () => token('alice', ALICE) });
  const got: number[] = [];
  await c.subscribe('files:acme', { onEvent: (e) => got.push(e.seq) }).ready;
  const pub = await TestClient.connect(h, await token('bob', ALICE));
  t.after(() => pub.close());
  await pub.request('file_upload', upload('files:acme', 'a.pdf'));
  await waitFor(() => got.length === 1, 'first event');
  conns[0]!.close(4408, 'idle_timeout');
  await waitFor(() => states.includes('reconnecting'), 'the close');
  await pub.request('file_upload', upload('files:acme', 'b.pdf'));
  await waitFor(() => c.reconnects === 1 && got.length === 2, 'resumed');
  assert.deepEqual(got, [1, 2]);
});

test('a token the hub refuses: an error event with HTTP 401 invalid_token at once, then closed (auth_failed) after maxReauthFailures', async (t) => {
  const h = await hub(t);
  const wrong = await signToken({ secret: randomBytes(32).toString('base64url'), sub: 'alice', perms: ALICE, ttlSec: 600 });
  let calls = 0;
  const { client: c, states, errors } = client(t, h, { token: () => (calls++, wrong), maxReauthFailures: 1 });
  const pending = assert.rejects(c.ping(), { code: 'auth_failed', status: 401 });
  await waitFor(() => c.state === 'closed', 'the terminal state');
  assert.deepEqual(errors.map((e) => [e.code, e.status, e.reason]), [['auth_failed', 401, 'invalid_token'], ['auth_failed', 401, 'invalid_token']]);
  assert.deepEqual(states, ['reconnecting', 'closed'], 'the refused first attempt is retried once with fresh credentials, then given up');
  assert.equal(calls, 2, 'fresh credentials asked for once before giving up');
  await pending;
});

test('a handshake refused for another reason (403 Origin) is final: handshake_refused with the status', async (t) => {
  const h = await hub(t);
  class Evil extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { origin: 'https://evil.example' });
    }
  }
  const { client: c, errors } = client(t, h, { token: () => token('alice', ALICE), WebSocket: Evil });
  await waitFor(() => c.state === 'closed', 'closed');
  assert.deepEqual(errors.map((e) => [e.code, e.status, e.retryable]), [['handshake_refused', 403, false]]);
});

test('fetchTicket: the ticket request carries the refusal a browser cannot read from the handshake', async (t) => {
  const h = await hub(t);
  const wrong = await signToken({ secret: randomBytes(32).toString('base64url'), sub: 'alice', perms: ALICE, ttlSec: 600 });
  const { client: bad, errors } = client(t, h, { ticket: fetchTicket({ url: `${h.url}/api/tickets`, token: wrong }), maxReauthFailures: 0 });
  await waitFor(() => bad.state === 'closed', 'closed');
  assert.deepEqual(errors.map((e) => [e.code, e.status, e.reason]), [['auth_failed', 401, 'invalid_token']]);
  const good = await token('alice', ALICE);
  const { client: ok } = client(t, h, { ticket: fetchTicket({ url: `${h.url}/api/tickets`, token: () => good }) });
  assert.ok((await ok.ping()) >= 0);
});

test('a token that expires while subscribed (the provider keeps returning it): the session ends at exp, and the client gives up after maxReauthFailures instead of reconnecting with it again and again', async (t) => {
  const h = await hub(t, {});
  const short = await token('alice', ALICE, 2);
  let opens = 0;
  const { client: c, errors } = client(t, h, { token: () => short, maxReauthFailures: 2 });
  c.on('state', (s) => void (s === 'open' && opens++));
  await c.subscribe('files:acme', { onEvent: () => {} }).ready;
  // Before the fix the hub admitted the expired token inside its 30 s clock tolerance and closed it at
  // once; each `subscribed` reset the client's failure count: dozens of sessions in a few seconds.
  await waitFor(() => c.state === 'closed', 'the terminal state', 15_000);
  assert.ok(opens <= 2, `sessions opened: ${opens}`);
  assert.ok(errors.some((e) => e.code === 'auth_failed' && e.status === 401), JSON.stringify(errors.map((e) => [e.code, e.status, e.reason])));
});
