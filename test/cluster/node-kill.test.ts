/**
 * A node SIGKILLed under load: three real `wsguard serve` processes on one Redis, behind a TCP
 * forwarder that stands in for the load balancer (round robin over live nodes). The client SDK takes
 * one URL, so it is given the forwarder's; after the kill its reconnect lands on another node and
 * resumes from its last seq.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { createClient, ClientError, type Client, type FileEvent, type WebSocketConstructor } from '../../src/client/index.js';
import { spawnCli, waitForOutput, type Cli } from '../cli/support.js';
import { SECRET, token, upload, ALICE, READER } from '../hub/support.js';
import { deleteKeys, freePort, plainClient, randomPrefix, REDIS_URL, redisSkipReason, waitFor } from './redis-helpers.js';
import { TcpForwarder } from './support.js';

const skip = await redisSkipReason();
const prefix = randomPrefix();
const dir = mkdtempSync(join(tmpdir(), 'wsguard-cluster-kill-'));
const children: Cli[] = [];
const clients: Client[] = [];
let lb: TcpForwarder | undefined;

after(async () => {
  for (const c of clients) c.close();
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await lb?.close();
  const redis = plainClient();
  await deleteKeys(redis, prefix).catch(() => undefined);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const NodeWebSocket: WebSocketConstructor = WebSocket;
const channel = 'files:acme';

test('SIGKILL of a node: its clients reconnect through the balancer to another node and resume, every acked event exactly once, in order', { skip }, async (t) => {
  const ports = [await freePort(), await freePort(), await freePort()];
  const alive = [true, true, true];
  let next = 0;
  lb = await TcpForwarder.start(() => {
    for (let i = 0; i < 3; i++) {
      const n = next++ % 3;
      if (alive[n]) return ports[n];
    }
    return undefined;
  });
  const hosts = [lb.port, ...ports].map((p) => `127.0.0.1:${p}`).join(',');
  const nodes = ports.map((port, i) => {
    const cli = spawnCli(['serve'], {
      WSGUARD_PORT: String(port),
      WSGUARD_REDIS_URL: REDIS_URL,
      WSGUARD_REDIS_PREFIX: prefix,
      WSGUARD_JWT_SECRET: SECRET,
      WSGUARD_ALLOWED_HOSTS: hosts,
      WSGUARD_DB: join(dir, `unused-${i}.db`),
      WSGUARD_LOG_LEVEL: 'warn',
    });
    children.push(cli);
    return cli;
  });
  await Promise.all(nodes.map((cli) => waitForOutput(cli, /WebSocket ws:\/\//, 30_000)));
  const lbUrl = `ws://127.0.0.1:${lb.port}/ws`;

  // Round robin: the SDK publisher lands on node 0, the six subscribers two per node.
  const alice = await token('alice', ALICE);
  const newClient = (jwt: string) => {
    const c = createClient({ url: lbUrl, token: () => jwt, WebSocket: NodeWebSocket, backoff: { initialMs: 50, maxMs: 400 }, requestTimeoutMs: 3000 });
    clients.push(c);
    return c;
  };
  const pub = newClient(alice);
  await pub.ping();
  const got: FileEvent[][] = [];
  const subs: Client[] = [];
  for (let i = 0; i < 6; i++) {
    const c = newClient(await token(`reader-${i}`, READER));
    const events: FileEvent[] = [];
    await c.subscribe(channel, { onEvent: (e) => events.push(e) }).ready;
    got.push(events);
    subs.push(c);
  }

  // Two publishers: the SDK one through the balancer (on the node that dies), and HTTP on node 2.
  // The SDK one retries what it is told is retryable (outcome unknown): a retried event may be stored twice, under two seqs.
  const acked = new Set<string>();
  const total = 120;
  const sdkPublisher = (async () => {
    for (let i = 0; i < total; i++) {
      for (let attempt = 0; ; attempt++) {
        assert.ok(attempt < 300, 'publisher retries bounded');
        try {
          await pub.publish('file_upload', upload(channel, `sdk-${i}.pdf`));
          acked.add(`sdk-${i}.pdf`);
          break;
        } catch (e) {
          assert.ok(e instanceof ClientError && e.retryable, String(e));
          await sleep(20);
        }
      }
    }
  })();
  const httpPublisher = (async () => {
    for (let i = 0; i < total; i++) {
      // HTTP publish has the WebSocket budget per identity: past it, 429 with Retry-After, honoured here.
      for (let attempt = 0; ; attempt++) {
        assert.ok(attempt < 50, 'HTTP publisher retries bounded');
        const res = await fetch(`http://127.0.0.1:${ports[2]}/api/channels/${encodeURIComponent(channel)}/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'file_upload', payload: upload(channel, `http-${i}.pdf`) }),
        });
        await res.arrayBuffer();
        if (res.status === 429) {
          await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
          continue;
        }
        assert.equal(res.status, 201);
        break;
      }
      acked.add(`http-${i}.pdf`);
    }
  })();

  await waitFor(() => acked.size >= 60, 20_000, 'publishing under way');
  alive[0] = false;
  nodes[0]!.child.kill('SIGKILL');
  await nodes[0]!.exited;
  await Promise.all([sdkPublisher, httpPublisher]);

  const redis = plainClient();
  const head = Number(await redis.get(`${prefix}ch:{${channel}}:seq`));
  redis.disconnect();
  assert.ok(head >= 2 * total, `head ${head}`);
  await waitFor(() => got.every((events) => events.length >= head), 20_000, 'every subscriber caught up');
  await sleep(100); // a duplicate would arrive right behind
  const moved = subs.filter((c) => c.reconnects > 0).length;
  t.diagnostic(`node 0 killed; ${moved} of 6 subscribers and the publisher (${pub.reconnects} reconnects) moved to other nodes; ${acked.size} acked, head ${head}`);
  assert.ok(moved >= 1, 'some subscribers were on the killed node');
  assert.ok(pub.reconnects >= 1, 'the publisher was on the killed node');
  for (const events of got) {
    assert.deepEqual(events.map((e) => e.seq), Array.from({ length: head }, (_, i) => i + 1), 'gap-free, no duplicate, in order');
    const paths = new Set(events.map((e) => e.path));
    for (const p of acked) assert.ok(paths.has(p), `acked ${p} delivered`);
  }
});
