/**
 * A node that falls behind on pub/sub: it sees a seq above the next one it expects, and fills the
 * gap from history before delivering, never out of order. Node B reaches Redis (127.0.0.1:6379)
 * through a TCP forwarder, so its own pub/sub connection can be found in CLIENT LIST and killed
 * (Redis does the same to a pub/sub client that is too slow: client-output-buffer-limit pubsub).
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient, token, upload, ALICE } from '../hub/support.js';
import type { RunningHub } from '../../src/hub/app.js';
import { plainClient, randomPrefix, REDIS_URL, redisSkipReason } from './redis-helpers.js';
import { startCluster, TcpForwarder, type Cluster } from './support.js';

const skip = await redisSkipReason();
const prefix = randomPrefix();
const clusters: Cluster[] = [];
const clients: TestClient[] = [];
let link: TcpForwarder | undefined;
let nodeA: RunningHub;
let nodeB: RunningHub;

before(async () => {
  if (skip) return;
  link = await TcpForwarder.start(() => Number(new URL(REDIS_URL).port || 6379));
  const guard = { messageRate: { perSec: 10_000, burst: 10_000 } };
  const a = await startCluster(1, REDIS_URL, prefix, { guard });
  const b = await startCluster(1, `redis://127.0.0.1:${link.port}`, prefix, { guard });
  clusters.push(a, b);
  nodeA = a.nodes[0]!;
  nodeB = b.nodes[0]!;
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
after(async () => {
  for (const c of clusters) await c.close();
  await link?.close();
});

async function connect(hub: RunningHub, jwt: string): Promise<TestClient> {
  const c = await TestClient.connect(hub, jwt);
  clients.push(c);
  return c;
}

async function subscriber(hub: RunningHub, channel: string, i: number): Promise<TestClient> {
  const s = await connect(hub, await token(`reader-${i}`, { subscribe: [channel], publish: [] }));
  assert.equal((await s.request('subscribe', { channel })).type, 'subscribed');
  return s;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test('node B\'s pub/sub connection killed mid-stream: its subscribers still get every event once, in order', { skip }, async (t) => {
  const channel = 'files:acme/killed';
  const [onA, onB] = [await subscriber(nodeA, channel, 1), await subscriber(nodeB, channel, 2)];
  const pub = await connect(nodeA, await token('alice', ALICE));
  const admin = plainClient();
  const total = 300;
  let killed = 0;
  for (let from = 0; from < total; from += 20) {
    const acks = await Promise.all(Array.from({ length: 20 }, (_, k) => pub.request('file_upload', upload(channel, `e-${from + k}`))));
    for (const a of acks) assert.equal(a.type, 'ack');
    if (from === 100 || from === 200) {
      // Only node B's pub/sub connection: named wsguard-sub and coming from the forwarder. After the
      // first kill it reconnects in the background: wait (bounded) until it is back and listed.
      let ids: string[] = [];
      let list = '';
      for (let tries = 0; tries < 50 && ids.length !== 1; tries++) {
        if (tries) await new Promise((r) => setTimeout(r, 100));
        const ports = new Set(link!.upstreamPorts());
        list = (await admin.client('LIST', 'TYPE', 'PUBSUB')) as string;
        ids = list.split('\n').flatMap((line) => {
          const id = /\bid=(\d+)/.exec(line)?.[1];
          const port = Number(/\baddr=[^ ]*:(\d+)/.exec(line)?.[1]);
          return id && / name=wsguard-sub /.test(line) && ports.has(port) ? [id] : [];
        });
      }
      assert.equal(ids.length, 1, list);
      killed += Number(await admin.client('KILL', 'ID', ids[0]!));
    }
  }
  admin.disconnect();
  for (const s of [onA, onB]) {
    await s.until(() => s.events(channel).length >= total, 20_000);
    await new Promise((r) => setTimeout(r, 100)); // a duplicate would arrive right behind
    assert.deepEqual(s.events(channel), range(total));
  }
  assert.equal(killed, 2);
  t.diagnostic(`node B's pub/sub connection killed twice during ${total} publishes; ${total} of ${total} delivered on B, in order`);
});

test('an event whose pub/sub message never reached the nodes is filled from history, before the next one', { skip }, async () => {
  const channel = 'files:acme/missed';
  const [onA, onB] = [await subscriber(nodeA, channel, 3), await subscriber(nodeB, channel, 4)];
  const pub = await connect(nodeA, await token('alice', ALICE));
  for (let i = 1; i <= 3; i++) assert.equal((await pub.request('file_upload', upload(channel, `p-${i}`))).type, 'ack');
  for (const s of [onA, onB]) await s.until(() => s.events(channel).length >= 3);

  // Seq 4 is appended to history (the documented layout: INCR the seq key, XADD `<seq>-0` to the
  // stream) but never published: to both nodes it looks like a lost or late pub/sub message.
  const admin = plainClient();
  const base = `${prefix}ch:{${channel}}`;
  const missed = { channel, kind: 'file_delete', path: 'missed.pdf', by: 'alice', at: new Date().toISOString() };
  const seq = await admin.eval(
    "local s = redis.call('INCR', KEYS[1]); redis.call('XADD', KEYS[2], s .. '-0', 'e', '{\"seq\":' .. s .. ',' .. string.sub(ARGV[1], 2), 't', ARGV[2]); return s",
    2, `${base}:seq`, `${base}:log`, JSON.stringify(missed), String(Date.now()),
  );
  admin.disconnect();
  assert.equal(seq, 4);
  await new Promise((r) => setTimeout(r, 200));
  for (const s of [onA, onB]) assert.deepEqual(s.events(channel), [1, 2, 3]); // no live message for 4

  const ack = await pub.request('file_upload', upload(channel, 'p-5'));
  assert.equal(ack.type === 'ack' && ack.payload.seq, 5);
  for (const s of [onA, onB]) {
    await s.until(() => s.events(channel).length >= 5);
    assert.deepEqual(s.events(channel), [1, 2, 3, 4, 5]);
    const four = s.inbox.find((m) => m.type === 'event' && m.payload.seq === 4);
    assert.equal(four?.type === 'event' && four.payload.path, 'missed.pdf');
  }
});
