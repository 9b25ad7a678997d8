/**
 * Redis goes away and comes back, on a private redis-server this test stops and starts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { WsguardError } from '../../src/protocol/index.js';
import { createRedisBackend, type RedisBackend } from '../../src/cluster/redis-backend.js';
import { newEvent } from '../store/contract.js';
import { freePort, plainClient, randomPrefix, RedisServer, redisSkipReason, waitFor } from './redis-helpers.js';

const skip = await redisSkipReason(); // same switch as the other Redis tests: redis-server must be installed
let server: RedisServer | undefined;
const backends: RedisBackend[] = [];

after(async () => {
  await Promise.all(backends.map((b) => b.close()));
  await server?.stop();
});

const isUnavailable = (err: unknown) => err instanceof WsguardError && err.code === 'unavailable';

test('Redis restart: writes refuse with unavailable while down, subscribers reconnect and catch up', { skip }, async () => {
  server = await RedisServer.start();
  const prefix = randomPrefix();
  const options = { url: server.url, prefix, retention: { maxEvents: 0, maxAgeMs: 0 }, commandTimeoutMs: 500 };
  const a = createRedisBackend(options);
  const b = createRedisBackend(options);
  backends.push(a, b);
  await Promise.all([a.ready(), b.ready()]);
  assert.equal(await a.healthy(), true);

  const live: number[] = [];
  let reconnects = 0;
  b.broker.subscribe('files:r', (e) => live.push(e.seq));
  b.broker.onReconnect(() => reconnects++);
  const revoked: string[] = [];
  b.revocations.onRevoke((t) => revoked.push('sub' in t ? t.sub : t.jti));
  await waitFor(() => b.broker.subscriptions().length === 1, 5000, 'subscription');
  await a.store.append(newEvent('files:r', 1));
  await waitFor(() => live.length === 1, 5000, 'first event');

  await server.stop();
  await waitFor(async () => !(await a.healthy()), 5000, 'a sees Redis down');
  assert.equal(await b.healthy(), false);
  // Every write refuses, quickly, with unavailable: none is queued to land later.
  for (let i = 0; i < 5; i++) await assert.rejects(a.store.append(newEvent('files:r', 2 + i)), isUnavailable);
  await assert.rejects(a.tickets.put('t', { identity: { sub: 'u', perms: { subscribe: [], publish: [] } }, origin: null, expiresAt: Date.now() + 1000 }, 1000), isUnavailable);
  await assert.rejects(a.connectionCounter.acquire('u', 3), isUnavailable);
  assert.equal(reconnects, 0);

  await server.start(); // same port, empty data set (no persistence)
  await waitFor(() => reconnects === 1, 10_000, 'onReconnect after Redis is back');
  await waitFor(() => a.healthy(), 10_000, 'a healthy again');
  const ack = await a.store.append(newEvent('files:r', 10));
  await waitFor(() => live.includes(ack.seq), 5000, 'live delivery after resubscribe');
  await a.revocations.revoke({ sub: 'mallory' }, Math.floor(Date.now() / 1000) + 60);
  await waitFor(() => revoked.includes('mallory'), 5000, 'revocation channel resubscribed');
});

test('Redis never reachable: ready() rejects with unavailable, healthy() is false, append rejects', { skip }, async () => {
  const backend = createRedisBackend({ url: `redis://127.0.0.1:${await freePort()}`, prefix: randomPrefix(), retention: { maxEvents: 0, maxAgeMs: 0 } });
  backends.push(backend);
  await assert.rejects(backend.ready(300), isUnavailable);
  assert.equal(await backend.healthy(), false);
  await assert.rejects(backend.store.append(newEvent('files:n', 1)), isUnavailable);
});

test('a dropped pub/sub connection loses live events, onReconnect plus replay fills the gap: nothing missing, in order', { skip }, async () => {
  server ??= await RedisServer.start();
  const options = { url: server.url, prefix: randomPrefix(), retention: { maxEvents: 0, maxAgeMs: 0 } };
  const [a, b] = [createRedisBackend(options), createRedisBackend(options)];
  backends.push(a, b);
  await Promise.all([a.ready(), b.ready()]);

  // A minimal ordered consumer, as the hub does it: take seq last+1, fill any gap from history.
  const delivered: number[] = [];
  let filling = Promise.resolve();
  const take = (seq: number) => {
    if (seq === (delivered.at(-1) ?? 0) + 1) delivered.push(seq);
  };
  const fill = () => {
    filling = filling.then(async () => {
      const r = await b.store.replay('files:g', delivered.at(-1) ?? 0, 1000);
      if (!r.gone) for (const e of r.events) take(e.seq);
    });
  };
  let reconnects = 0;
  b.broker.subscribe('files:g', (e) => (e.seq > (delivered.at(-1) ?? 0) + 1 ? fill() : take(e.seq)));
  b.broker.onReconnect(() => {
    reconnects++;
    fill();
  });
  await waitFor(() => b.broker.subscriptions().length === 1, 5000, 'subscription');

  const admin = plainClient(server.url);
  const total = 200;
  for (let i = 1; i <= total; i++) {
    await a.store.append(newEvent('files:g', i));
    if (i === 50) await admin.client('KILL', 'TYPE', 'PUBSUB');
  }
  admin.disconnect();
  await waitFor(() => reconnects >= 1 && delivered.length === total, 10_000, 'every event delivered');
  await filling;
  assert.deepEqual(delivered, Array.from({ length: total }, (_, i) => i + 1));
});
