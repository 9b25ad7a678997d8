/**
 * The EventStore contract, run against every implementation (memory, sqlite, redis).
 * Independent of any one backend: import it and call `eventStoreContract(name, factory)`.
 *
 * The factory must return a fresh, empty store each call (e.g. a new file or key prefix);
 * the suite closes every store it creates.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FileEvent } from '../../src/protocol/index.js';
import { WsguardError } from '../../src/protocol/index.js';
import type { EventStore, NewEvent, ReplayResult, RetentionPolicy } from '../../src/store/types.js';

export interface ContractStoreOptions {
  readonly retention: RetentionPolicy;
  /** A controllable clock; stores that can take it should use it for age retention. */
  readonly now: () => number;
}

export interface ContractCapabilities {
  /** The store stamps events with `now` (so age tests advance a fake clock instead of sleeping). Default false. */
  readonly fakeClock?: boolean;
  /** prune() returns exactly the events it removed (false if retention also runs on append). Default false. */
  readonly exactPruneCount?: boolean;
}

export type EventStoreFactory = (options: ContractStoreOptions) => Promise<EventStore>;

let counter = 0;
export function newEvent(channel: string, i: number, extra: Partial<NewEvent> = {}): NewEvent {
  counter++;
  return {
    channel,
    kind: 'file_upload',
    path: `dir/file-${i}.txt`,
    size: i,
    mime: 'text/plain',
    sha256: (counter % 16).toString(16).repeat(64),
    by: 'alice',
    at: new Date(1_700_000_000_000 + i).toISOString(),
    ...extra,
  };
}

/** Reads the whole retained history after `since` in pages of `page`. */
export async function replayAll(store: EventStore, channel: string, since: number, page = 100): Promise<FileEvent[]> {
  const out: FileEvent[] = [];
  for (;;) {
    const r = await store.replay(channel, since, page);
    assert.equal(r.gone, false, `replay(${channel}, ${since}) is gone`);
    if (r.gone) return out;
    out.push(...r.events);
    if (r.events.length < page) return out;
    since = r.events[r.events.length - 1]!.seq;
  }
}

export const seqs = (events: readonly { seq: number }[]) => events.map((e) => e.seq);
export const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
export const isUnavailable = (err: unknown) => err instanceof WsguardError && err.code === 'unavailable';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function events(r: ReplayResult): FileEvent[] {
  assert.equal(r.gone, false, 'unexpected gone');
  return r.gone ? [] : r.events;
}

export function eventStoreContract(name: string, factory: EventStoreFactory, caps: ContractCapabilities = {}): void {
  describe(`EventStore contract: ${name}`, () => {
    const open: EventStore[] = [];
    let clock = Date.now();
    const make = async (retention: RetentionPolicy = { maxEvents: 0, maxAgeMs: 0 }) => {
      const s = await factory({ retention, now: () => clock });
      open.push(s);
      return s;
    };
    after(async () => {
      await Promise.all(open.map((s) => s.close().catch(() => {})));
    });

    test('an unknown channel has head 0 and no events; a fresh store is healthy', async () => {
      const s = await make();
      assert.equal(await s.head('files:none'), 0);
      assert.deepEqual(await s.replay('files:none', 0, 10), { gone: false, events: [], head: 0 });
      assert.equal(await s.healthy(), true);
    });

    test('append answers the stored event with seq 1, 2, 3…; replay returns it field for field', async () => {
      const s = await make();
      const up = newEvent('files:acme', 1);
      const del: NewEvent = { channel: 'files:acme', kind: 'file_delete', path: 'ünï/cødé 📄.txt', by: 'bob', at: new Date().toISOString() };
      const big = newEvent('files:acme', 3, { size: Number.MAX_SAFE_INTEGER });
      const a1 = await s.append(up);
      const a2 = await s.append(del);
      const a3 = await s.append(big);
      assert.deepEqual(a1, { ...up, seq: 1 });
      assert.deepEqual(a2, { ...del, seq: 2 });
      assert.equal('size' in a2 || 'mime' in a2 || 'sha256' in a2, false, 'absent optional fields stay absent');
      assert.deepEqual(a3, { ...big, seq: 3 });
      assert.deepEqual(await s.replay('files:acme', 0, 10), { gone: false, events: [a1, a2, a3], head: 3 });
      assert.equal(await s.head('files:acme'), 3);
    });

    test('the store keeps its own copy: mutating the input or an answer changes nothing', async () => {
      const s = await make();
      const input = newEvent('files:copy', 1);
      const acked = await s.append(input);
      input.path = 'changed';
      acked.path = 'changed too';
      const [stored] = events(await s.replay('files:copy', 0, 1));
      assert.equal(stored!.path, 'dir/file-1.txt');
    });

    test('gap-free seqs under many concurrent appends across channels; each seq holds what its ack said', async () => {
      const s = await make();
      const channels = ['files:a', 'files:b', 'files:c', 'files:d', 'files:a/x', 'files:b/y'];
      const perChannel = 150;
      const pending: Promise<FileEvent>[] = [];
      for (let i = 1; i <= perChannel; i++) for (const ch of channels) pending.push(s.append(newEvent(ch, i, { path: `p/${ch}/${i}` })));
      const acks = await Promise.all(pending);
      for (const ch of channels) {
        const mine = acks.filter((a) => a.channel === ch);
        assert.deepEqual(seqs(mine).sort((x, y) => x - y), range(1, perChannel), `${ch}: every seq once`);
        const stored = await replayAll(s, ch, 0, 64);
        assert.deepEqual(seqs(stored), range(1, perChannel), `${ch}: replay is 1..n in order`);
        const bySeq = new Map(mine.map((a) => [a.seq, a]));
        for (const e of stored) assert.deepEqual(e, bySeq.get(e.seq));
        assert.equal(await s.head(ch), perChannel);
      }
    });

    test('appends issued one after another get increasing seqs in issue order', async () => {
      const s = await make();
      const acks = await Promise.all(range(1, 50).map((i) => s.append(newEvent('files:order', i))));
      assert.deepEqual(seqs(acks), range(1, 50));
      assert.deepEqual(acks.map((a) => a.size), range(1, 50));
    });

    test('replay pages by (since, limit) and reports head', async () => {
      const s = await make();
      for (let i = 1; i <= 25; i++) await s.append(newEvent('files:page', i));
      const p1 = await s.replay('files:page', 0, 10);
      assert.deepEqual(seqs(events(p1)), range(1, 10));
      assert.equal(p1.head, 25);
      assert.deepEqual(seqs(events(await s.replay('files:page', 10, 10))), range(11, 20));
      assert.deepEqual(seqs(events(await s.replay('files:page', 20, 10))), range(21, 25));
      assert.deepEqual(seqs(events(await s.replay('files:page', 7, 1))), [8]);
      assert.deepEqual(await s.replay('files:page', 25, 10), { gone: false, events: [], head: 25 });
      assert.deepEqual(await s.replay('files:page', 40, 10), { gone: false, events: [], head: 25 }, 'since beyond head');
      assert.deepEqual(seqs(await replayAll(s, 'files:page', 3, 4)), range(4, 25));
    });

    test('replay racing appends always sees a contiguous run starting right after since', async () => {
      const s = await make();
      for (let i = 1; i <= 20; i++) await s.append(newEvent('files:race', i));
      const writes = Promise.all(range(21, 320).map((i) => s.append(newEvent('files:race', i))));
      let since = 0;
      const seen: number[] = [];
      while (since < 320) {
        const r = await s.replay('files:race', since, 37);
        const got = seqs(events(r));
        assert.deepEqual(got, range(since + 1, since + got.length), 'no gap, no reordering');
        assert.ok(r.head >= since + got.length);
        seen.push(...got);
        if (got.length > 0) since = got[got.length - 1]!;
        else await sleep(1);
      }
      await writes;
      assert.deepEqual(seen, range(1, 320));
    });

    test('channels are independent', async () => {
      const s = await make({ maxEvents: 2, maxAgeMs: 0 });
      for (let i = 1; i <= 5; i++) await s.append(newEvent('files:one', i));
      await s.append(newEvent('files:two', 1));
      await s.prune();
      assert.equal(await s.head('files:one'), 5);
      assert.equal(await s.head('files:two'), 1);
      assert.deepEqual(seqs(events(await s.replay('files:two', 0, 10))), [1]);
      assert.equal((await s.replay('files:one', 0, 10)).gone, true);
    });

    test('retention by count: keeps the newest maxEvents per channel; older since answers gone', async () => {
      const s = await make({ maxEvents: 5, maxAgeMs: 0 });
      for (let i = 1; i <= 12; i++) await s.append(newEvent('files:count', i));
      const removed = await s.prune();
      if (caps.exactPruneCount) assert.equal(removed, 7);
      else assert.ok(removed >= 0);
      assert.deepEqual(seqs(events(await s.replay('files:count', 7, 100))), range(8, 12));
      assert.deepEqual(await s.replay('files:count', 6, 100), { gone: true, head: 12 });
      assert.deepEqual(await s.replay('files:count', 0, 100), { gone: true, head: 12 });
      assert.equal(await s.head('files:count'), 12);
      if (caps.exactPruneCount) assert.equal(await s.prune(), 0, 'nothing more to remove');
      const next = await s.append(newEvent('files:count', 13));
      assert.equal(next.seq, 13, 'seqs continue after retention');
      await s.prune();
      assert.deepEqual(seqs(events(await s.replay('files:count', 8, 100))), range(9, 13));
      assert.equal((await s.replay('files:count', 7, 100)).gone, true);
    });

    test('retention by age: drops the oldest events older than maxAgeMs; older since answers gone', async () => {
      const maxAgeMs = caps.fakeClock ? 60_000 : 400;
      const s = await make({ maxEvents: 0, maxAgeMs });
      for (let i = 1; i <= 3; i++) await s.append(newEvent('files:age', i));
      if (caps.fakeClock) clock += maxAgeMs + 1;
      else await sleep(maxAgeMs + 150);
      for (let i = 4; i <= 5; i++) await s.append(newEvent('files:age', i));
      const removed = await s.prune();
      if (caps.exactPruneCount) assert.equal(removed, 3);
      assert.deepEqual(seqs(events(await s.replay('files:age', 3, 100))), [4, 5]);
      assert.deepEqual(await s.replay('files:age', 2, 100), { gone: true, head: 5 });
      if (caps.fakeClock) clock += maxAgeMs + 1;
      else await sleep(maxAgeMs + 150);
      await s.prune();
      // All expired: the channel is forgotten (issue 10: the log keeps no row per channel ever used).
      // A resume from its old head is now beyond the head, which the hub answers with history_gone.
      assert.equal(await s.head('files:age'), 0, 'all expired: forgotten');
      assert.deepEqual(await s.replay('files:age', 5, 100), { gone: false, events: [], head: 0 });
      assert.equal((await s.append(newEvent('files:age', 6))).seq, 1, 'begins again');
    });

    test('no retention (0, 0) removes nothing', async () => {
      const s = await make({ maxEvents: 0, maxAgeMs: 0 });
      for (let i = 1; i <= 10; i++) await s.append(newEvent('files:keep', i));
      clock += 10 * 365 * 86_400_000;
      assert.equal(await s.prune(), 0);
      assert.deepEqual(seqs(events(await s.replay('files:keep', 0, 100))), range(1, 10));
    });

    test('after close every call rejects with unavailable', async () => {
      const s = await make();
      await s.append(newEvent('files:closed', 1));
      await s.close();
      await s.close(); // idempotent
      await assert.rejects(s.append(newEvent('files:closed', 2)), isUnavailable);
      await assert.rejects(s.replay('files:closed', 0, 10), isUnavailable);
      await assert.rejects(s.head('files:closed'), isUnavailable);
      assert.equal(await s.healthy(), false);
    });
  });
}
