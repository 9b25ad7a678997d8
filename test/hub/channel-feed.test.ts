import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelFeed, type FeedSink } from '../../src/hub/channel-feed.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { MemoryBroker } from '../../src/broker/memory.js';
import { WsguardError, type FileEvent } from '../../src/protocol/index.js';

const CH = 'files:acme';

class Sink implements FeedSink {
  seqs: number[] = [];
  closed = false;
  gone = 0;
  sendRaw(frame: string): boolean {
    if (this.closed) return false;
    this.seqs.push((JSON.parse(frame) as { payload: FileEvent }).payload.seq);
    return true;
  }
  bufferedAmount(): number {
    return 0;
  }
  historyGone(): void {
    this.gone++;
  }
}

const FEED_OPTIONS = {
  pageSize: 7,
  replayHighWaterMark: 1 << 20,
  replayPollMs: 5,
  maxReplayRounds: 10_000,
  serialize: (e: FileEvent) => JSON.stringify({ type: 'event', payload: e }),
};

function setup(retention?: { maxEvents: number; maxAgeMs: number }) {
  const store = new MemoryEventStore(retention ? { retention } : {});
  const broker = new MemoryBroker();
  const errors: unknown[] = [];
  const feed = new ChannelFeed(CH, store, broker, { ...FEED_OPTIONS, onError: (err) => errors.push(err) });
  const append = (n: number) => store.append({ channel: CH, kind: 'file_delete', path: `f${n}`, by: 'u', at: new Date(0).toISOString() });
  const publish = async (n: number) => broker.publish(await append(n));
  return { store, broker, feed, errors, append, publish };
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const settle = () => new Promise((r) => setTimeout(r, 20));

test('resume from since while publishes race the replay: every event once, in order', async () => {
  const { feed, publish, errors } = setup();
  for (let i = 1; i <= 50; i++) await publish(i);
  const sinks = [new Sink(), new Sink(), new Sink()];
  const racing = (async () => {
    for (let i = 51; i <= 150; i++) await publish(i);
  })();
  const joins = Promise.all(sinks.map((s, i) => feed.join(s, i * 10)));
  await racing;
  const results = await joins;
  await settle();
  for (const [i, s] of sinks.entries()) {
    assert.deepEqual(results[i]!.ok, true);
    assert.deepEqual(s.seqs, range(i * 10 + 1, 150), `sink ${i}`);
  }
  assert.deepEqual(errors, []);
});

test('events the broker never delivered are filled from the store; duplicates are dropped', async () => {
  const { feed, broker, append, publish } = setup();
  const sink = new Sink();
  await feed.join(sink, undefined);
  await publish(1);
  await append(2); // stored but lost by the broker
  await append(3);
  const e4 = await append(4);
  await broker.publish(e4);
  await broker.publish(e4); // delivered twice
  await settle();
  assert.deepEqual(sink.seqs, [1, 2, 3, 4]);
});

test('resync after a broker reconnect catches up from the store', async () => {
  const { feed, append } = setup();
  const sink = new Sink();
  await feed.join(sink, undefined);
  await append(1);
  await append(2);
  await feed.resync();
  assert.deepEqual(sink.seqs, [1, 2]);
});

test('since older than retention answers history_gone; a lost gap under retention tells live subscribers', async () => {
  const { feed, store, publish, append, broker } = setup({ maxEvents: 3, maxAgeMs: 0 });
  for (let i = 1; i <= 6; i++) await publish(i);
  await store.prune();
  assert.deepEqual(await feed.join(new Sink(), 1), { ok: false, reason: 'history_gone' });
  const live = new Sink();
  assert.deepEqual(await feed.join(live, 3), { ok: true, head: 6 });
  assert.deepEqual(live.seqs, [4, 5, 6]);
  for (let i = 7; i <= 12; i++) await append(i); // broker loses them all...
  await store.prune(); // ...and retention removes them before the feed could read them
  const last = await store.replay(CH, 11, 1);
  if (last.gone) assert.fail('seq 12 is retained');
  await broker.publish(last.events[0]!);
  await settle();
  assert.equal(live.gone, 1);
  assert.equal(feed.size, 0);
});

test('a closed sink is dropped from the feed', async () => {
  const { feed, publish } = setup();
  const sink = new Sink();
  await feed.join(sink, undefined);
  await publish(1);
  await settle();
  sink.closed = true;
  await publish(2);
  await settle();
  assert.equal(feed.size, 0);
  assert.deepEqual(sink.seqs, [1]);
});

test('a feed made while the store cannot tell the head refuses joins, then starts from the head, never replaying history to live subscribers', async () => {
  // Fault injection on the real memory store: head() fails like a store that is down.
  class HeadlessStore extends MemoryEventStore {
    down = true;
    override async head(channel: string): Promise<number> {
      if (this.down) throw new WsguardError('unavailable');
      return super.head(channel);
    }
  }
  const store = new HeadlessStore();
  const broker = new MemoryBroker();
  for (let i = 1; i <= 5; i++) await store.append({ channel: CH, kind: 'file_delete', path: `old${i}`, by: 'u', at: new Date(0).toISOString() });
  const feed = new ChannelFeed(CH, store, broker, { ...FEED_OPTIONS, onError: () => {} });
  assert.deepEqual(await feed.join(new Sink(), undefined), { ok: false, reason: 'unavailable' });
  store.down = false;
  const live = new Sink();
  assert.deepEqual(await feed.join(live, undefined), { ok: true, head: 5 });
  await broker.publish(await store.append({ channel: CH, kind: 'file_delete', path: 'new', by: 'u', at: new Date(0).toISOString() }));
  await settle();
  assert.deepEqual(live.seqs, [6]);
});

test('a resume from beyond the store head (the channel was forgotten and begun again) answers ahead (the hub says history_gone)', async () => {
  const { feed, publish } = setup();
  for (let i = 1; i <= 3; i++) await publish(i);
  await settle();
  assert.deepEqual(await feed.join(new Sink(), 10), { ok: false, reason: 'ahead' });
  assert.deepEqual(await feed.join(new Sink(), 3), { ok: true, head: 3 });
});

test('a channel forgotten by retention and begun again: live subscribers are told to resync, not fed old seqs as duplicates', async () => {
  let clock = 0;
  const store = new MemoryEventStore({ retention: { maxEvents: 0, maxAgeMs: 1000 }, now: () => clock });
  const broker = new MemoryBroker();
  const feed = new ChannelFeed(CH, store, broker, { ...FEED_OPTIONS, onError: () => {} });
  const publish = async (n: number) => broker.publish(await store.append({ channel: CH, kind: 'file_delete', path: `f${n}`, by: 'u', at: new Date(0).toISOString() }));
  for (let i = 1; i <= 3; i++) await publish(i);
  await settle();
  const sink = new Sink();
  assert.deepEqual(await feed.join(sink, undefined), { ok: true, head: 3 });
  clock += 5000;
  await store.prune(); // all expired: forgotten
  await publish(1); // begun again at seq 1
  await settle();
  assert.equal(sink.gone, 1, 'told to resync');
  const fresh = new Sink();
  assert.deepEqual(await feed.join(fresh, undefined), { ok: true, head: 1 });
  await publish(2);
  await settle();
  assert.deepEqual(fresh.seqs, [2]);
});

/** A sink that takes batches: records each write (one array of frames = one write). */
class BatchSink extends Sink {
  writes: number[][] = [];
  override sendRaw(frame: string): boolean {
    const ok = super.sendRaw(frame);
    if (ok) this.writes.push([this.seqs.at(-1)!]);
    return ok;
  }
  sendFrames(frames: readonly string[]): boolean {
    if (this.closed) return false;
    const seqs = frames.map((f) => (JSON.parse(f) as { payload: FileEvent }).payload.seq);
    this.seqs.push(...seqs);
    this.writes.push(seqs);
    return true;
  }
}

/** Lets queued microtasks run without letting the microtask queue drain (so no nextTick runs). */
async function microtaskHops(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await null;
}

test('events emitted in one tick leave in one write per sink; a join mid-tick gets none of them, a leave mid-tick gets all of them', async () => {
  const { feed, append, broker } = setup();
  const a = new BatchSink();
  const leaver = new BatchSink();
  await feed.join(a, undefined);
  await feed.join(leaver, undefined);
  const events = [];
  for (let i = 1; i <= 5; i++) events.push(await append(i));
  await settle();
  for (const e of events) void broker.publish(e);
  await microtaskHops(200); // the feed emits 1..5; the flush waits for the end of the tick
  assert.deepEqual(a.seqs, [], 'still pending: nothing written mid-tick');

  const late = new BatchSink();
  let head = -1;
  const joined = feed.join(late, undefined, (h) => (head = h));
  feed.leave(leaver);
  assert.deepEqual(await joined, { ok: true, head: 5 });
  assert.equal(head, 5);
  assert.deepEqual(leaver.writes, [[1, 2, 3, 4, 5]]); // written before it left, in one write

  const e6 = await append(6);
  const e7 = await append(7);
  void broker.publish(e6);
  void broker.publish(e7);
  await settle();
  assert.deepEqual(a.writes, [[1, 2, 3, 4, 5], [6, 7]]);
  assert.deepEqual(late.seqs, [6, 7]); // after its head: no duplicate of the pending batch, no gap
  assert.deepEqual(leaver.seqs, [1, 2, 3, 4, 5]);
});
