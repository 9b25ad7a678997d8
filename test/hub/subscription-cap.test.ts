/**
 * The per-connection subscription cap (the hub's default, 64) over real sockets: past it `subscribe`
 * is answered `too_many_subscriptions` (its own code, not `rate_limited`), the connection and its
 * subscriptions go on, and an unsubscribe makes room. The SDK ends only the refused subscription (not
 * retried, credentials and connection untouched) and paces its subscribes under the hub's default
 * message budget, so 64 subscriptions come back after a restart without one rate-limit refusal.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ClientError, type Subscription } from '../../src/client/index.js';
import { NodeWebSocket, waitFor } from '../client/support/util.js';
import { startTestHub, removeDir, TestClient, token, upload, ALICE, type TestHub } from './support.js';

const CAP = 64; // the hub's default: nothing below configures it
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const channel = (i: number) => `files:acme/c${i}`;

/** `p`, or a rejection after `ms` (a broken client fails the test instead of hanging it). */
function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what())), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function hub(t: TestContext, dir?: string, port?: number): Promise<TestHub> {
  const h = await startTestHub(port === undefined ? {} : { port }, dir === undefined ? {} : { dir });
  t.after(async () => {
    await h.close(1000).catch(() => undefined);
  });
  return h;
}

async function metrics(h: TestHub): Promise<string> {
  return (await fetch(h.url + '/metrics')).text();
}

/** Sum of a counter's samples whose labels match (0 when absent). */
function counter(text: string, name: string, labels: RegExp = /.*/): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\d+)`).exec(line);
    if (m && labels.test(m[1] ?? '')) sum += Number(m[2]);
  }
  return sum;
}

test('raw socket: the subscribe past the cap is answered too_many_subscriptions; the connection, its subscriptions and its budget are untouched; an unsubscribe makes room', async (t) => {
  const h = await hub(t);
  t.after(() => removeDir(h.dir));
  const c = await TestClient.connect(h, await token('alice', ALICE));
  t.after(() => c.close());
  for (let i = 0; i < CAP; i++) {
    const r = await c.request('subscribe', { channel: channel(i) });
    assert.equal(r.type, 'subscribed', `${i}: ${JSON.stringify(r)}`);
    if (i >= 30) await sleep(60); // stay within the default message rate (20/s after a burst of 40)
  }
  const over = await c.request('subscribe', { channel: channel(CAP) });
  assert.equal(over.type, 'error');
  assert.equal(over.type === 'error' && over.payload.code, 'too_many_subscriptions');
  // Subscribing again to a channel it holds replaces that subscription: not one more.
  assert.equal((await c.request('subscribe', { channel: channel(0) })).type, 'subscribed');
  // The connection goes on: a ping is answered and an earlier subscription still gets live events.
  assert.equal((await c.request('ping', {})).type, 'pong');
  const pub = await TestClient.connect(h, await token('bob', ALICE));
  t.after(() => pub.close());
  await pub.request('file_upload', upload(channel(3), 'live.pdf'));
  await c.until(() => c.events(channel(3)).length === 1);
  // Room after an unsubscribe.
  assert.equal((await c.request('unsubscribe', { channel: channel(1) })).type, 'unsubscribed');
  assert.equal((await c.request('subscribe', { channel: channel(CAP) })).type, 'subscribed');
  assert.equal(c.closeCode, undefined);
  const m = await metrics(h);
  assert.equal(counter(m, 'wsguard_violations_total'), 0, 'the refusal is not a violation');
});

test('SDK: 65 subscriptions at once: 64 live, the 65th refused once (too_many_subscriptions, not retryable); no reconnect, no new credentials, no rate-limit refusal; after a restart all 64 come back', async (t) => {
  let h = await hub(t);
  const dir = h.dir;
  const port = h.port;
  t.after(() => removeDir(dir));
  const jwt = await token('alice', ALICE, 3600);
  let tokenCalls = 0;
  const connectionErrors: ClientError[] = [];
  const c = createClient({
    url: h.wsUrl,
    WebSocket: NodeWebSocket,
    token: () => {
      tokenCalls++;
      return jwt;
    },
    backoff: { initialMs: 20, maxMs: 200 },
    onError: (e) => connectionErrors.push(e),
  });
  t.after(() => c.close());
  const subErrors: [number, string][] = [];
  const subs: Subscription[] = [];
  for (let i = 0; i <= CAP; i++) subs.push(c.subscribe(channel(i), { onEvent: () => {}, onError: (e) => subErrors.push([i, e.code]) }));
  const settled = await within(Promise.allSettled(subs.map((s) => s.ready)), 30_000, () => `not all settled: ${subs.map((s) => s.status).join()}`);
  assert.equal(settled.filter((r) => r.status === 'fulfilled').length, CAP);
  const refused = settled[CAP]!;
  assert.ok(refused.status === 'rejected', 'the last one (subscribes leave in order) is refused');
  const err = (refused as PromiseRejectedResult).reason as ClientError;
  assert.equal(err.code, 'too_many_subscriptions');
  assert.equal(err.retryable, false);
  assert.equal(subs[CAP]!.status, 'refused');
  assert.deepEqual(subErrors, [[CAP, 'too_many_subscriptions']]);
  // Not retried: longer than the first backoff delays, then a round trip as the witness.
  await sleep(600);
  await c.ping();
  let m = await metrics(h);
  assert.equal(counter(m, 'wsguard_messages_total', /type="subscribe"/), CAP + 1, 'one subscribe per subscription, the refused one not resent');
  assert.equal(counter(m, 'wsguard_violations_total'), 0, 'the paced subscribes never tripped the rate limit');
  assert.equal(c.state, 'open');
  assert.equal(c.reconnects, 0);
  assert.equal(tokenCalls, 1, 'credentials kept');
  assert.equal(connectionErrors.length, 0, connectionErrors.map((e) => e.code).join());

  // Restart: the client resubscribes its 64 on the new connection, paced, and every one is live again.
  await h.close(1000);
  h = await hub(t, dir, port);
  await waitFor(() => c.reconnects === 1 && subs.slice(0, CAP).every((s) => s.status === 'live'), 'all 64 live again', 30_000);
  m = await metrics(h);
  assert.equal(counter(m, 'wsguard_messages_total', /type="subscribe"/), CAP);
  assert.equal(counter(m, 'wsguard_violations_total'), 0);
  assert.equal(tokenCalls, 1, 'the same token, still valid, was reused');
  assert.ok(connectionErrors.every((e) => e.code === 'connect_failed'), connectionErrors.map((e) => e.code).join());
  // Room after an unsubscribe, on the client too.
  subs[0]!.unsubscribe();
  assert.equal(await c.subscribe(channel(CAP), { onEvent: () => {} }).ready, 0);
});

test('WSGUARD_MAX_SUBSCRIPTIONS sets the cap (from the environment, through the config layer)', async (t) => {
  const { parseValues } = await import('../../src/config/index.js');
  const config = parseValues({ WSGUARD_MAX_SUBSCRIPTIONS: '2' });
  const h = await startTestHub({ maxSubscriptions: config.maxSubscriptions! });
  t.after(async () => {
    await h.close(1000);
    removeDir(h.dir);
  });
  const c = await TestClient.connect(h, await token('alice', ALICE));
  t.after(() => c.close());
  for (const i of [0, 1]) assert.equal((await c.request('subscribe', { channel: channel(i) })).type, 'subscribed');
  const over = await c.request('subscribe', { channel: channel(2) });
  assert.equal(over.type === 'error' && over.payload.code, 'too_many_subscriptions');
});
