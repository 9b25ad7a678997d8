/**
 * Redis unreachable under three hub nodes, on a private redis-server this file stops and starts:
 * - Redis down for everyone (stopped, then started again from its append-only file);
 * - one node cut off from Redis (a TCP forwarder between it and Redis) while the others keep publishing.
 * Publishes answer `unavailable` (never a false ack), subscribers stay connected, /healthz says
 * degraded, and once Redis is back every subscriber has every event, in order.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient, token, upload, ALICE } from '../hub/support.js';
import type { RunningHub } from '../../src/hub/app.js';
import type { ServerMessage } from '../../src/protocol/index.js';
import { plainClient, randomPrefix, RedisServer, redisSkipReason, waitFor } from './redis-helpers.js';
import { startCluster, TcpForwarder, type Cluster } from './support.js';

const skip = await redisSkipReason(); // same switch as the other Redis tests: redis-server must be installed
const aofDir = mkdtempSync(join(tmpdir(), 'wsguard-redis-aof-'));
let server: RedisServer | undefined;
const clusters: Cluster[] = [];
const forwarders: TcpForwarder[] = [];
const clients: TestClient[] = [];

before(async () => {
  // appendfsync always: every acknowledged append is on disk before Redis answers, so it survives the kill.
  if (!skip) server = await RedisServer.start(['--appendonly', 'yes', '--appendfsync', 'always', '--dir', aofDir]);
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
after(async () => {
  for (const c of clusters) await c.close();
  for (const f of forwarders) await f.close();
  await server?.stop();
  rmSync(aofDir, { recursive: true, force: true });
});

const guard = { messageRate: { perSec: 1000, burst: 1000 } };

async function connect(hub: RunningHub, jwt: string): Promise<TestClient> {
  const c = await TestClient.connect(hub, jwt);
  clients.push(c);
  return c;
}

async function health(hub: RunningHub): Promise<{ status: number; body: { status: string; store: boolean; broker: boolean } }> {
  const res = await fetch(hub.url + '/healthz');
  return { status: res.status, body: (await res.json()) as { status: string; store: boolean; broker: boolean } };
}

/** Publishes until acknowledged, retrying `unavailable` (bounded); returns the seq. */
async function publishRetrying(pub: TestClient, channel: string, path: string): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const answer = await pub.request('file_upload', upload(channel, path));
    if (answer.type === 'ack') return answer.payload.seq!;
    assert.equal(answer.type === 'error' && answer.payload.code, 'unavailable', JSON.stringify(answer));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${path} never acknowledged`);
}

const code = (m: ServerMessage) => (m.type === 'error' ? m.payload.code : m.type);
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test('Redis down and back: publishes answer unavailable, subscribers stay, /healthz degraded; then everyone catches up', { skip }, async (t) => {
  const channel = 'files:acme/outage';
  const cluster = await startCluster(3, server!.url, randomPrefix(), { guard });
  clusters.push(cluster);
  const nodes = cluster.nodes;
  const subs = await Promise.all(nodes.map(async (h, i) => connect(h, await token(`reader-${i}`, { subscribe: [channel], publish: [] }))));
  for (const s of subs) assert.equal((await s.request('subscribe', { channel })).type, 'subscribed');
  const alice = await token('alice', ALICE);
  const pubs = await Promise.all(nodes.map((h) => connect(h, alice)));
  for (let i = 1; i <= 5; i++) assert.equal(await publishRetrying(pubs[0]!, channel, `before-${i}`), i);
  for (const h of nodes) assert.equal((await health(h)).status, 200);

  await server!.stop();
  for (const h of nodes) await waitFor(async () => (await health(h)).status === 503, 10_000, 'degraded /healthz');
  assert.deepEqual((await health(nodes[1]!)).body.status, 'degraded');
  for (const [i, p] of pubs.entries()) {
    for (let k = 0; k < 3; k++) assert.equal(code(await p.request('file_upload', upload(channel, `down-${i}-${k}`))), 'unavailable');
  }
  const httpDown = await fetch(`${nodes[2]!.url}/api/channels/${encodeURIComponent(channel)}/events`, {
    method: 'POST', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'file_upload', payload: upload(channel, 'down-http') }),
  });
  assert.equal(httpDown.status, 503);
  for (const s of subs) assert.equal((await s.request('ping', {})).type, 'pong'); // still connected
  // New handshakes fail closed: revocations cannot be checked.
  await assert.rejects(TestClient.connect(nodes[0]!, await token('newcomer', ALICE)), /HTTP 503/); // our outage, not a bad credential: 503 + Retry-After, no failed attempt charged

  await server!.start(); // same port, same append-only file
  // Publish as soon as node A can write again, maybe before B and C have resubscribed: they catch up from history.
  for (let i = 6; i <= 10; i++) assert.equal(await publishRetrying(pubs[0]!, channel, `after-${i}`), i);
  for (const s of subs) {
    await s.until(() => s.events(channel).length >= 10, 20_000);
    assert.deepEqual(s.events(channel), range(10));
  }
  for (const h of nodes) await waitFor(async () => (await health(h)).status === 200, 10_000, 'healthy /healthz');
  // No publish refused during the outage was stored: the head is exactly the ten acknowledged ones.
  const late = await connect(nodes[1]!, await token('late', { subscribe: [channel], publish: [] }));
  const answer = await late.request('subscribe', { channel, since: 3 });
  assert.deepEqual(answer.type === 'subscribed' && answer.payload.seq, 10);
  await late.until(() => late.events(channel).length >= 7);
  assert.deepEqual(late.events(channel), [4, 5, 6, 7, 8, 9, 10]);
  t.diagnostic('3 refused publishes per node and one HTTP 503 while Redis was down; 10 acked, 10 delivered on each node');
});

test('one node cut off from Redis: its publishes are unavailable, its subscribers stay and catch up on heal, in order', { skip }, async () => {
  const channel = 'files:acme/partition';
  const link = await TcpForwarder.start(() => server!.port);
  forwarders.push(link);
  const prefix = randomPrefix();
  const a = await startCluster(2, server!.url, prefix, { guard });
  const b = await startCluster(1, `redis://127.0.0.1:${link.port}`, prefix, { guard });
  clusters.push(a, b);
  const [nodeA, nodeC] = [a.nodes[0]!, a.nodes[1]!];
  const nodeB = b.nodes[0]!;
  const reader = (i: number) => token(`reader-${i}`, { subscribe: [channel], publish: [] });
  const subs = [await connect(nodeA, await reader(0)), await connect(nodeB, await reader(1)), await connect(nodeC, await reader(2))];
  for (const s of subs) assert.equal((await s.request('subscribe', { channel })).type, 'subscribed');
  const alice = await token('alice', ALICE);
  const pubA = await connect(nodeA, alice);
  const pubB = await connect(nodeB, alice);
  for (let i = 1; i <= 3; i++) assert.equal(await publishRetrying(pubB, channel, `b-${i}`), i);
  await subs[1]!.until(() => subs[1]!.events(channel).length >= 3);

  link.cut();
  await waitFor(async () => (await health(nodeB)).status === 503, 10_000, 'node B degraded');
  assert.equal((await health(nodeA)).status, 200);
  assert.equal(code(await pubB.request('file_upload', upload(channel, 'b-cut'))), 'unavailable');
  for (let i = 4; i <= 20; i++) assert.equal(await publishRetrying(pubA, channel, `a-${i}`), i);
  for (const s of [subs[0]!, subs[2]!]) await s.until(() => s.events(channel).length >= 20);
  assert.equal((await subs[1]!.request('ping', {})).type, 'pong'); // still connected, just not fed
  assert.deepEqual(subs[1]!.events(channel), [1, 2, 3]);

  link.heal();
  await subs[1]!.until(() => subs[1]!.events(channel).length >= 20, 20_000);
  for (let i = 21; i <= 25; i++) assert.equal(await publishRetrying(pubB, channel, `b-${i}`), i);
  for (const s of subs) {
    await s.until(() => s.events(channel).length >= 25, 20_000);
    assert.deepEqual(s.events(channel), range(25));
  }
  await waitFor(async () => (await health(nodeB)).status === 200, 10_000, 'node B healthy');
  const r = plainClient(server!.url);
  assert.equal(await r.get(`${prefix}ch:{${channel}}:seq`), '25'); // the refused publish was not stored
  r.disconnect();
});
