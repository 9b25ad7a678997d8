import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileEvent } from '../../src/protocol/index.js';
import { newEvent } from '../store/contract.js';
import { plainClient, redisScope, redisSkipReason, sleep, waitFor } from '../cluster/redis-helpers.js';

const skip = await redisSkipReason();
const { node, prefix } = redisScope(skip);

async function numsub(channel: string): Promise<number> {
  const admin = plainClient();
  try {
    return Number((await admin.pubsub('NUMSUB', channel))[1]);
  } finally {
    admin.disconnect();
  }
}

if (skip) {
  test('redis broker', { skip }, () => {});
} else {
  describe('redis broker', () => {
    test('one Redis subscription per channel, held only while local listeners exist', async () => {
      const p = prefix();
      const a = await node(p);
      const redisChannel = `${p}ev:files:one`;
      const got1: number[] = [];
      const got2: number[] = [];
      const off1 = a.broker.subscribe('files:one', (e) => got1.push(e.seq));
      const off2 = a.broker.subscribe('files:one', (e) => got2.push(e.seq));
      await waitFor(async () => (await numsub(redisChannel)) === 1, 5000, 'subscription');
      assert.deepEqual(a.broker.subscriptions(), [redisChannel]);

      await a.store.append(newEvent('files:one', 1));
      await waitFor(() => got1.length === 1 && got2.length === 1, 5000, 'delivery to both listeners');
      assert.equal(await numsub(redisChannel), 1, 'still one subscription for two listeners');

      off1();
      off1(); // idempotent
      await a.store.append(newEvent('files:one', 2));
      await waitFor(() => got2.length === 2, 5000, 'delivery to the remaining listener');
      assert.deepEqual(got1, [1]);
      assert.equal(await numsub(redisChannel), 1);

      off2();
      await waitFor(async () => (await numsub(redisChannel)) === 0, 5000, 'unsubscribe');
      assert.deepEqual(a.broker.subscriptions(), []);
    });

    test('events appended on one node reach listeners on every node, once, in seq order', async () => {
      const p = prefix();
      const [a, b, c] = [await node(p), await node(p), await node(p)];
      const seen = new Map<string, FileEvent[]>();
      for (const [name, n] of [['a', a], ['b', b], ['c', c]] as const) {
        seen.set(name, []);
        n.broker.subscribe('files:x', (e) => seen.get(name)!.push(e));
      }
      await waitFor(async () => (await numsub(`${p}ev:files:x`)) === 3, 5000, 'three subscriptions');
      const acks = [];
      for (let i = 1; i <= 10; i++) acks.push(await [a, b, c][i % 3]!.store.append(newEvent('files:x', i)));
      // publish() is a no-op by design: calling it must not deliver a second copy.
      for (const e of acks) await a.broker.publish(e);
      await waitFor(() => [...seen.values()].every((l) => l.length >= 10), 5000, 'fan-out');
      await sleep(50);
      // Each carries its log's epoch besides what was acknowledged (see EventStore.epoch).
      const epoch = await a.store.epoch('files:x');
      for (const list of seen.values()) assert.deepEqual(list, acks.map((e) => ({ epoch, ...e })), 'every node got each event once, as acknowledged');
    });

    test('a listener that throws does not stop the others; unrelated channels are not delivered', async () => {
      const p = prefix();
      const errors: unknown[] = [];
      const a = await node(p, { onError: (e) => errors.push(e) });
      const got: number[] = [];
      a.broker.subscribe('files:t', () => {
        throw new Error('boom');
      });
      a.broker.subscribe('files:t', (e) => got.push(e.seq));
      a.broker.subscribe('files:other', () => assert.fail('wrong channel'));
      await waitFor(async () => (await numsub(`${p}ev:files:t`)) === 1, 5000, 'subscription');
      await a.store.append(newEvent('files:t', 1));
      await waitFor(() => got.length === 1, 5000, 'delivery');
      assert.equal(errors.length, 1);
    });
  });
}
