/**
 * Three hub nodes on three ports in this process, one Redis (127.0.0.1:6379), one random key
 * prefix: the cluster behaves as one hub for delivery, seq order, tickets, revocation and caps.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { TestClient, token, upload, ALICE, READER } from '../hub/support.js';
import { SUBPROTOCOL } from '../../src/protocol/index.js';
import { randomPrefix, REDIS_URL, redisSkipReason, waitFor } from './redis-helpers.js';
import { APP_ORIGIN, startCluster, type Cluster } from './support.js';

const skip = await redisSkipReason();
let cluster: Cluster | undefined;
const clients: TestClient[] = [];

before(async () => {
  if (skip) return;
  cluster = await startCluster(3, REDIS_URL, randomPrefix(), {
    guard: { caps: { global: 1000, perIp: 200, perUser: 3 }, messageRate: { perSec: 10_000, burst: 10_000 }, handshakeRate: { perSec: 1000, burst: 1000 } },
  });
});
afterEach(() => {
  // Each test starts with no open sockets, so the per-user caps of one do not bleed into the next.
  for (const c of clients.splice(0)) c.close();
});
after(async () => {
  await cluster?.close();
});

const nodes = () => cluster!.nodes;

async function connect(node: number, bearer: string): Promise<TestClient> {
  const c = await TestClient.connect(nodes()[node]!, bearer);
  clients.push(c);
  return c;
}

/** HTTP status of a bare handshake (101 when accepted; the socket is closed right away). */
function handshake(url: string, opts: WebSocket.ClientOptions): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, [SUBPROTOCOL], opts);
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

function closeOf(c: TestClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => c.ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

test('cross-node delivery: published on A, subscribers on B and C receive every event once, in order', { skip }, async () => {
  const channel = 'files:acme/cross';
  const reader = await token('reader', { subscribe: [channel], publish: [] });
  const [b, c] = [await connect(1, reader), await connect(2, reader)];
  for (const s of [b, c]) assert.equal((await s.request('subscribe', { channel })).type, 'subscribed');
  const pub = await connect(0, await token('alice', ALICE));
  const acked: number[] = [];
  for (let i = 0; i < 20; i++) {
    const ack = await pub.request('file_upload', upload(channel, `r${i}.pdf`));
    assert.equal(ack.type, 'ack');
    if (ack.type === 'ack') acked.push(ack.payload.seq!);
  }
  assert.deepEqual(acked, Array.from({ length: 20 }, (_, i) => i + 1));
  for (const s of [b, c]) {
    await s.until(() => s.events(channel).length >= 20);
    await new Promise((r) => setTimeout(r, 100)); // a duplicate would arrive right behind
    assert.deepEqual(s.events(channel), acked);
  }
});

test('a pipelined burst from one connection (Redis log): appended and acked in arrival order, delivered in that order on another node', { skip }, async () => {
  const channel = 'files:acme/burst';
  const reader = await token('reader', { subscribe: [channel], publish: [] });
  const b = await connect(1, reader);
  assert.equal((await b.request('subscribe', { channel })).type, 'subscribed');
  const pub = await connect(0, await token('alice', ALICE));
  const socket = (pub.ws as unknown as { _socket: import('node:net').Socket })._socket;
  socket.cork(); // the whole burst in one TCP write: the node reads it at once and pipelines it
  for (let i = 0; i < 12; i++) pub.ws.send(JSON.stringify({ type: 'file_upload', id: `p-${i}`, payload: upload(channel, `p${i}.pdf`) }));
  socket.uncork();
  await pub.until((box) => box.filter((m) => 'id' in m).length === 12);
  const answers = pub.inbox.filter((m) => 'id' in m);
  assert.deepEqual(answers.map((m) => ('id' in m ? m.id : '')), Array.from({ length: 12 }, (_, i) => `p-${i}`));
  assert.deepEqual(answers.map((m) => (m.type === 'ack' ? m.payload.seq : m.type)), Array.from({ length: 12 }, (_, i) => i + 1));
  await b.until(() => b.events(channel).length >= 12);
  const paths = b.inbox.flatMap((m) => (m.type === 'event' ? [m.payload.path] : []));
  assert.deepEqual(paths, Array.from({ length: 12 }, (_, i) => `p${i}.pdf`));
});

test('concurrent publishers on three nodes: seqs unique and gap-free, every subscriber sees them in order', { skip }, async (t) => {
  const channel = 'files:acme/concurrent';
  const alice = await token('alice-concurrent', ALICE);
  const subscribers: TestClient[] = [];
  for (let n = 0; n < 6; n++) {
    const s = await connect(n % 3, await token(`reader-${n}`, { subscribe: [channel], publish: [] }));
    assert.equal((await s.request('subscribe', { channel })).type, 'subscribed');
    subscribers.push(s);
  }
  const publishers = [await connect(0, alice), await connect(1, alice), await connect(2, alice)]; // 3 = alice's cap
  const perPublisher = 150;
  const seqToPath = new Map<number, string>();
  // All three publishers at once, each with 32 publishes in flight (under the guard's queue bound of 64).
  await Promise.all(publishers.map(async (p, n) => {
    for (let from = 0; from < perPublisher; from += 32) {
      const batch = Array.from({ length: Math.min(32, perPublisher - from) }, (_, k) => `n${n}-${from + k}.bin`);
      const answers = await Promise.all(batch.map((path) => p.request('file_upload', upload(channel, path))));
      answers.forEach((a, k) => {
        assert.equal(a.type, 'ack', JSON.stringify(a));
        if (a.type !== 'ack') return;
        assert.equal(seqToPath.has(a.payload.seq!), false, `seq ${a.payload.seq} acked twice`);
        seqToPath.set(a.payload.seq!, batch[k]!);
      });
    }
  }));
  const total = 3 * perPublisher;
  t.diagnostic(`${total} concurrent publishes from 3 nodes, ${subscribers.length} subscribers on 3 nodes`);
  assert.deepEqual([...seqToPath.keys()].sort((x, y) => x - y), Array.from({ length: total }, (_, i) => i + 1));
  for (const s of subscribers) {
    await s.until(() => s.events(channel).length >= total, 30_000);
    assert.deepEqual(s.events(channel), Array.from({ length: total }, (_, i) => i + 1));
    // Each seq carries the event that was acknowledged with it.
    for (const m of s.inbox) if (m.type === 'event') assert.equal(m.payload.path, seqToPath.get(m.payload.seq));
  }
});

test('a ticket minted on A works once on B, then is refused on C', { skip }, async () => {
  const alice = await token('alice', ALICE);
  const res = await fetch(nodes()[0]!.url + '/api/tickets', { method: 'POST', headers: { authorization: `Bearer ${alice}`, origin: APP_ORIGIN, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 200);
  const { ticket } = (await res.json()) as { ticket: string };
  assert.equal(await handshake(`${nodes()[1]!.wsUrl}?ticket=${ticket}`, { origin: APP_ORIGIN }), 101);
  assert.equal(await handshake(`${nodes()[2]!.wsUrl}?ticket=${ticket}`, { origin: APP_ORIGIN }), 401);
  assert.equal(await handshake(`${nodes()[1]!.wsUrl}?ticket=${ticket}`, { origin: APP_ORIGIN }), 401);
});

test('revoke on A closes the subject\'s sockets on B and C (1008 revoked); its old token is refused everywhere', { skip }, async (t) => {
  const old = await token('mallory', READER);
  const victims = [await connect(1, old), await connect(2, old), await connect(2, old)];
  const bystander = await connect(1, await token('bob', READER));
  const closes = victims.map(closeOf);
  const started = Date.now();
  await nodes()[0]!.guard.revoke({ sub: 'mallory' });
  const results = await Promise.all(closes.map((p) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('not closed within 5 s')), 5000))])));
  t.diagnostic(`revocation closed 3 sockets on 2 other nodes in ${Date.now() - started} ms`);
  for (const r of results) assert.deepEqual(r, { code: 1008, reason: 'revoked' });
  for (const n of [0, 1, 2]) assert.equal(await handshake(nodes()[n]!.wsUrl, { headers: { Authorization: `Bearer ${old}` } }), 401, `node ${n}`);
  assert.equal((await bystander.request('ping', {})).type, 'pong');
});

test('per-user cap (3) counts connections on all three nodes; a closed one frees a slot anywhere', { skip }, async () => {
  const carol = await token('carol', READER);
  const held = [await connect(0, carol), await connect(1, carol), await connect(2, carol)];
  for (const n of [0, 1, 2]) assert.equal(await handshake(nodes()[n]!.wsUrl, { headers: { Authorization: `Bearer ${carol}` } }), 429, `node ${n}`);
  const gone = closeOf(held[1]!);
  held[1]!.close();
  await gone;
  // The slot is released right after the close is processed on node B: poll until node C accepts.
  await waitFor(async () => (await handshake(nodes()[2]!.wsUrl, { headers: { Authorization: `Bearer ${carol}` } })) === 101, 5000, 'a freed slot on node C');
});
