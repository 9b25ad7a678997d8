/**
 * Fan-out batching over real sockets: the events a feed emits in one tick (here: one SQLite group
 * commit of several publishes) reach every subscriber in order, without gap or duplicate, and in
 * ONE socket write per subscriber instead of one per event. The writes are counted on the
 * server's side of each TCP connection: on loopback, in one process, the client's reads merge
 * back-to-back writes, so they cannot tell one write from ten.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Identity } from '../../src/auth/types.js';
import { ALICE, TestClient, countEventWrites, removeDir, startTestHub, token, upload } from './support.js';

const CH = 'files:acme';
const BURST = 20;
const SUBSCRIBERS = 3;
const ALICE_ID: Identity = { sub: 'alice', perms: ALICE, method: 'bearer' };

test('a burst of events committed in one tick reaches each subscriber in order, no gap or duplicate, in one write each', async () => {
  const hub = await startTestHub();
  const spy = countEventWrites(hub.server);
  const clients: TestClient[] = [];
  try {
    const bearer = await token('alice', ALICE);
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const c = await TestClient.connect(hub, bearer);
      clients.push(c);
      const ack = await c.request('subscribe', { channel: CH });
      assert.equal(ack.type, 'subscribed');
    }
    // Warm-up: the feed learns the log's epoch on its first event (a store read); after it, a burst is all microtasks.
    await hub.hub.publishFrom(ALICE_ID, { kind: 'file_upload', payload: upload(CH, 'warm.pdf') });
    for (const c of clients) await c.until(() => c.events(CH).length === 1);
    const before = spy.eventWrites();

    // BURST publishes in the same tick: one group commit, so the feed emits them in one tick.
    const acks = await Promise.all(Array.from({ length: BURST }, (_, i) => hub.hub.publishFrom(ALICE_ID, { kind: 'file_upload', payload: upload(CH, `f${i}.pdf`) })));
    assert.deepEqual(
      acks.map((a) => a.seq),
      Array.from({ length: BURST }, (_, i) => i + 2),
    );
    for (const c of clients) await c.until(() => c.events(CH).length === BURST + 1);

    const expected = Array.from({ length: BURST + 1 }, (_, i) => i + 1);
    for (const c of clients) assert.deepEqual(c.events(CH), expected); // in order, no gap, no duplicate
    const during = spy.eventWrites().map((n, i) => n - (before[i] ?? 0));
    // One per subscriber socket (the publisher is in-process); one write per event before batching.
    assert.deepEqual(
      during.filter((n) => n > 0),
      Array.from({ length: SUBSCRIBERS }, () => 1),
    );
  } finally {
    for (const c of clients) c.close();
    await hub.close();
    removeDir(hub.dir);
  }
});

test('a subscriber that joins and one that leaves during a burst: each gets exactly its part, in order', async () => {
  const hub = await startTestHub();
  const clients: TestClient[] = [];
  try {
    const bearer = await token('alice', ALICE);
    const stay = await TestClient.connect(hub, bearer);
    const leaver = await TestClient.connect(hub, bearer);
    const joiner = await TestClient.connect(hub, bearer);
    clients.push(stay, leaver, joiner);
    for (const c of [stay, leaver]) assert.equal((await c.request('subscribe', { channel: CH })).type, 'subscribed');
    const publish = (i: number) => hub.hub.publishFrom(ALICE_ID, { kind: 'file_upload', payload: upload(CH, `f${i}.pdf`) });
    await publish(0);
    for (const c of [stay, leaver]) await c.until(() => c.events(CH).length === 1);

    // Bursts race a subscribe (live, no since) and an unsubscribe on the same channel.
    const bursts = (from: number) => Promise.all(Array.from({ length: BURST }, (_, i) => publish(from + i)));
    const [, sub] = await Promise.all([bursts(1), joiner.request('subscribe', { channel: CH }), leaver.request('unsubscribe', { channel: CH }), bursts(1 + BURST)]);
    assert.equal(sub.type, 'subscribed');
    const head = (sub as { payload: { seq: number } }).payload.seq;
    await publish(999); // the last event: everyone subscribed sees it
    const last = 2 * BURST + 2;
    for (const c of [stay, joiner]) await c.until(() => c.events(CH).at(-1) === last);

    const run = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    assert.deepEqual(stay.events(CH), run(1, last));
    assert.deepEqual(joiner.events(CH), run(head + 1, last)); // after its head: no gap, no duplicate
    const left = leaver.events(CH);
    assert.deepEqual(left, run(1, left.length)); // a prefix, in order, then nothing
  } finally {
    for (const c of clients) c.close();
    await hub.close();
    removeDir(hub.dir);
  }
});
