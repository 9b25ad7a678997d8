/**
 * After a Redis reconnect the pub/sub connection may be back before the command connection: the
 * feed's first resync then fails. It must retry, or a quiet channel would never get the events it
 * missed (there is no next live event to reveal the gap). No Redis needed: memory store and broker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelFeed, type FeedSink } from '../../src/hub/channel-feed.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { MemoryBroker } from '../../src/broker/memory.js';
import { WsguardError, type FileEvent } from '../../src/protocol/index.js';
import type { EventStore } from '../../src/store/types.js';
import { waitFor } from './redis-helpers.js';

const CH = 'files:acme';

test('a resync that fails while the store is unreachable is retried until the missed events are delivered', async () => {
  const store = new MemoryEventStore();
  // The store as the node sees it while its Redis command connection is down: reads fail too.
  let down = false;
  const unavailable = () => Promise.reject(new WsguardError('unavailable'));
  const reads: EventStore = {
    append: (e) => store.append(e),
    replay: (c, since, limit) => (down ? unavailable() : store.replay(c, since, limit)),
    head: (c) => (down ? unavailable() : store.head(c)),
    prune: () => store.prune(),
    healthy: async () => !down,
    close: () => store.close(),
  };
  const broker = new MemoryBroker();
  const errors: unknown[] = [];
  const feed = new ChannelFeed(CH, reads, broker, {
    pageSize: 100,
    replayHighWaterMark: 1 << 20,
    replayPollMs: 5,
    maxReplayRounds: 1000,
    serialize: (e) => JSON.stringify(e),
    onError: (err) => errors.push(err),
  });
  const seqs: number[] = [];
  const sink: FeedSink = {
    sendRaw: (frame) => seqs.push((JSON.parse(frame) as FileEvent).seq) > 0,
    bufferedAmount: () => 0,
    closed: false,
    historyGone: () => assert.fail('history is not gone'),
  };
  const append = (n: number) => store.append({ channel: CH, kind: 'file_delete', path: `f${n}`, by: 'u', at: new Date(0).toISOString() });
  try {
    assert.equal((await feed.join(sink, undefined)).ok, true);
    for (const n of [1, 2]) await broker.publish(await append(n));
    await waitFor(() => seqs.length === 2, 2000, 'live events');
    for (const n of [3, 4, 5]) await append(n); // committed while this node's pub/sub was down: never published to it

    down = true;
    await feed.resync();
    assert.equal(errors.length, 1, 'the first resync failed');
    down = false;
    await waitFor(() => seqs.length === 5, 5000, 'the retried resync');
    assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
  } finally {
    feed.close();
  }
});
