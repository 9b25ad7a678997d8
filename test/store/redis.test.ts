import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { WsguardError, type FileEvent } from '../../src/protocol/index.js';
import { RedisEventStore } from '../../src/store/redis.js';
import { RedisBroker } from '../../src/broker/redis.js';
import { commandConnection, subscriberConnection } from '../../src/cluster/redis-backend.js';
import { eventStoreContract, newEvent, replayAll } from './contract.js';
import { channelLimitsContract } from './channel-limits.js';
import { deleteKeys, freePort, plainClient, randomPrefix, REDIS_URL, redisSkipReason, waitFor } from '../cluster/redis-helpers.js';

const skip = await redisSkipReason();
const prefixes: string[] = [];
const connections: Redis[] = [];

/** The command connection has no offline queue: wait until it is up before using it. */
async function connection(kind: 'command' | 'subscriber' = 'command', url = REDIS_URL): Promise<Redis> {
  const r = kind === 'command' ? commandConnection(url, 1000) : subscriberConnection(url);
  r.on('error', () => {});
  connections.push(r);
  if (url === REDIS_URL) await waitFor(() => r.status === 'ready', 5000, 'redis connection');
  return r;
}

function prefix(): string {
  const p = randomPrefix();
  prefixes.push(p);
  return p;
}

after(async () => {
  if (skip) return;
  const admin = plainClient();
  for (const p of prefixes) await deleteKeys(admin, p);
  assert.equal((await Promise.all(prefixes.map((p) => admin.keys(`${p}*`)))).flat().length, 0, 'every test key removed');
  admin.disconnect();
  for (const c of connections) c.disconnect();
});

const isUnavailable = (err: unknown) => err instanceof WsguardError && err.code === 'unavailable';
const seqs = (events: readonly FileEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

if (skip) {
  test('redis event store', { skip }, () => {});
} else {
  // Redis stamps with the given clock when one is passed, so age retention runs on a fake clock.
  eventStoreContract('redis', async (opts) => new RedisEventStore({ ...opts, redis: await connection(), prefix: prefix() }), { fakeClock: true });
  channelLimitsContract('redis', async (opts) => new RedisEventStore({ ...opts, redis: await connection(), prefix: prefix() }));

  describe('redis event store: cluster behaviour', () => {
    test('several nodes appending concurrently: unique gap-free seqs, published in seq order', async () => {
      const p = prefix();
      const nodes = await Promise.all(range(1, 4).map(async () => new RedisEventStore({ redis: await connection(), prefix: p })));
      const broker = new RedisBroker({ subscriber: await connection('subscriber'), prefix: p });
      const received: number[] = [];
      broker.subscribe('files:race', (e) => received.push(e.seq));
      const admin = plainClient();
      await waitFor(async () => (await admin.pubsub('NUMSUB', `${p}ev:files:race`))[1] === 1, 5000, 'subscription');
      admin.disconnect();

      const perNode = 100;
      const acks = (await Promise.all(nodes.flatMap((s, n) => range(1, perNode).map((i) => s.append(newEvent('files:race', i, { by: `node-${n}` })))))).flat();
      const total = nodes.length * perNode;
      assert.deepEqual(seqs(acks).sort((a, b) => a - b), range(1, total), 'every seq handed out exactly once');
      assert.deepEqual(seqs(await replayAll(nodes[0]!, 'files:race', 0, 64)), range(1, total), 'history in seq order');
      await waitFor(() => received.length >= total, 10_000, 'all published events');
      assert.deepEqual(received, range(1, total), 'pub/sub order equals seq order');
      await broker.close();
    });

    test('count retention is applied on append too, and the floor makes older since gone', async () => {
      const p = prefix();
      const s = new RedisEventStore({ redis: await connection(), prefix: p, retention: { maxEvents: 3, maxAgeMs: 0 } });
      for (let i = 1; i <= 10; i++) await s.append(newEvent('files:trim', i));
      const admin = plainClient();
      assert.equal(await admin.xlen(`${p}ch:{files:trim}:log`), 3, 'stream stays bounded without prune()');
      assert.equal(await admin.get(`${p}ch:{files:trim}:floor`), '7');
      admin.disconnect();
      assert.deepEqual(await s.replay('files:trim', 6, 10), { gone: true, head: 10 });
      assert.deepEqual(seqs((await s.replay('files:trim', 7, 10) as { events: FileEvent[] }).events), [8, 9, 10]);
      assert.equal(await s.prune(), 0);
    });

    test('without a clock, age retention uses Redis server time', async () => {
      const s = new RedisEventStore({ redis: await connection(), prefix: prefix(), retention: { maxEvents: 0, maxAgeMs: 300 } });
      for (let i = 1; i <= 3; i++) await s.append(newEvent('files:rt', i));
      await new Promise((r) => setTimeout(r, 450));
      await s.append(newEvent('files:rt', 4));
      assert.equal(await s.prune(), 3);
      assert.equal((await s.replay('files:rt', 2, 10)).gone, true);
      assert.deepEqual(seqs((await s.replay('files:rt', 3, 10) as { events: FileEvent[] }).events), [4]);
    });

    test('Redis unreachable: append, replay and head reject with unavailable, quickly; healthy is false', async () => {
      const url = `redis://127.0.0.1:${await freePort()}`; // nothing listens there
      const s = new RedisEventStore({ redis: await connection('command', url), prefix: prefix() });
      await assert.rejects(s.append(newEvent('files:down', 1)), isUnavailable);
      await assert.rejects(s.replay('files:down', 0, 10), isUnavailable);
      await assert.rejects(s.head('files:down'), isUnavailable);
      assert.equal(await s.healthy(), false);
      await s.close();
    });
  });
}
