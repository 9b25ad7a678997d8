/**
 * Channel caps and forgetting empty channels (issue 10), run against every EventStore: import it
 * and call `channelLimitsContract(name, factory)`; the factory passes the options to the store.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelLimitError, type ChannelLimits, type EventStore, type RetentionPolicy } from '../../src/store/types.js';
import { newEvent } from './contract.js';

export type LimitsStoreFactory = (options: { channelLimits: ChannelLimits; retention: RetentionPolicy; now: () => number }) => Promise<EventStore>;

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'stored';
  } catch (err) {
    assert.ok(err instanceof ChannelLimitError, `a ChannelLimitError, got ${String(err)}`);
    assert.equal(err.code, 'channel_limit');
    return err.scope;
  }
}

export function channelLimitsContract(name: string, factory: LimitsStoreFactory): void {
  describe(`${name}: channel caps`, () => {
    const stores: EventStore[] = [];
    after(async () => {
      for (const s of stores) await s.close();
    });
    const open = async (channelLimits: ChannelLimits, retention: RetentionPolicy = { maxEvents: 0, maxAgeMs: 0 }, now = () => Date.now()) => {
      const s = await factory({ channelLimits, retention, now });
      stores.push(s);
      return s;
    };

    test('total cap: a new channel past it is refused (nothing stored); existing channels still take appends', async () => {
      const s = await open({ maxChannels: 3, newPerUserPerHour: 0 });
      for (const ch of ['a', 'b', 'c']) await s.append(newEvent(`files:${ch}`, 1, { by: `u-${ch}` }));
      assert.equal(await refusal(s.append(newEvent('files:d', 1))), 'total');
      assert.equal(await s.head('files:d'), 0, 'nothing stored, no seq used');
      assert.equal((await s.append(newEvent('files:a', 2))).seq, 2);
      assert.equal(await s.channelTotal?.(), 3);
    });

    test('per-identity cap: one identity past its new channels per hour is refused; another identity is not', async () => {
      const s = await open({ maxChannels: 0, newPerUserPerHour: 2 });
      const results = await Promise.all(['x1', 'x2', 'x3', 'x4'].map((c) => refusal(s.append(newEvent(`files:${c}`, 1, { by: 'mallory' })))));
      assert.deepEqual(results.sort(), ['stored', 'stored', 'user', 'user']);
      assert.equal(await refusal(s.append(newEvent('files:x9', 1, { by: 'bob' }))), 'stored');
      const heads = await Promise.all(['x1', 'x2', 'x3', 'x4'].map((c) => s.head(`files:${c}`)));
      assert.deepEqual(heads.filter((h) => h > 0).length, 2, 'the refused ones used no seq');
      const mine = ['x1', 'x2', 'x3', 'x4'][heads.findIndex((h) => h > 0)]!;
      assert.equal(await refusal(s.append(newEvent(`files:${mine}`, 2, { by: 'mallory' }))), 'stored', 'her existing channels still take appends');
    });

    test('retention that empties a channel forgets it: the cap counts it no more, and a resume beyond its head can be told', async () => {
      let clock = 1_000_000;
      const s = await open({ maxChannels: 2, newPerUserPerHour: 0 }, { maxEvents: 0, maxAgeMs: 1000 }, () => clock);
      await s.append(newEvent('files:old', 1));
      await s.append(newEvent('files:old', 2));
      clock += 500;
      await s.append(newEvent('files:new', 1));
      assert.equal(await refusal(s.append(newEvent('files:third', 1))), 'total');
      clock += 700; // files:old is past its age, files:new is not
      await s.prune();
      assert.equal(await s.head('files:old'), 0, 'forgotten');
      assert.equal(await s.head('files:new'), 1, 'kept');
      assert.equal(await s.channelTotal?.(), 1);
      assert.equal(await refusal(s.append(newEvent('files:third', 1))), 'stored', 'the forgotten channel made room');
    });
  });
}
