import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, removeDir, TestClient, token, upload, ALICE, BOB, READER, type TestHub } from './support.js';

const hubs: TestHub[] = [];
after(async () => {
  for (const h of hubs) {
    await h.close(1000);
    removeDir(h.dir);
  }
});
async function hub(overrides = {}): Promise<TestHub> {
  // These tests publish in bursts; the rate limit itself is tested in test/server.
  const h = await startTestHub(overrides, { guard: { messageRate: { perSec: 10_000, burst: 10_000 } } });
  hubs.push(h);
  return h;
}

test('publish is acknowledged with its seq and delivered to every subscriber, with by and at', async () => {
  const h = await hub();
  const [a, r] = await Promise.all([TestClient.connect(h, await token('alice', ALICE)), TestClient.connect(h, await token('reader', READER))]);
  assert.deepEqual((await r.request('subscribe', { channel: 'files:acme' })).type, 'subscribed');
  const ack = await a.request('file_upload', upload('files:acme', 'q3/report.pdf', 123));
  assert.deepEqual(ack, { type: 'ack', id: 't-1', payload: { seq: 1 } });
  await a.request('file_delete', { channel: 'files:acme', path: 'q3/report.pdf' });
  await r.until((box) => box.filter((m) => m.type === 'event').length === 2);
  const events = r.inbox.filter((m) => m.type === 'event').map((m) => m.payload);
  assert.equal(events[0]!.kind, 'file_upload');
  assert.equal(events[0]!.by, 'alice');
  assert.equal(events[0]!.size, 123);
  assert.ok(!Number.isNaN(Date.parse(events[0]!.at)));
  assert.deepEqual([events[1]!.kind, events[1]!.seq, events[1]!.size], ['file_delete', 2, undefined]);
  a.close();
  r.close();
});

test('ACL: default deny for subscribe and publish, prefix wildcard only below the prefix', async () => {
  const h = await hub();
  const b = await TestClient.connect(h, await token('bob', BOB));
  const sub = await b.request('subscribe', { channel: 'files:acme' });
  assert.equal(sub.type === 'error' && sub.payload.code, 'forbidden');
  const pub = await b.request('file_upload', upload('files:acme', 'x.pdf'));
  assert.equal(pub.type === 'error' && pub.payload.code, 'forbidden');
  const r = await TestClient.connect(h, await token('reader', READER));
  const sub2 = await r.request('subscribe', { channel: 'files:acme/secret' });
  assert.equal(sub2.type === 'error' && sub2.payload.code, 'forbidden');
  const pub2 = await r.request('file_upload', upload('files:acme', 'x.pdf'));
  assert.equal(pub2.type === 'error' && pub2.payload.code, 'forbidden');
  const a = await TestClient.connect(h, await token('alice', ALICE));
  assert.equal((await a.request('subscribe', { channel: 'files:acme/reports' })).type, 'subscribed');
  b.close();
  r.close();
  a.close();
});

test('validation: traversal paths, bad sizes, bad mime, unknown keys are refused with invalid_message, never echoed', async () => {
  const h = await hub();
  const a = await TestClient.connect(h, await token('alice', ALICE));
  const bad = [
    upload('files:acme', '../etc/passwd'),
    upload('files:acme', '/abs/path'),
    { ...upload('files:acme', 'a.pdf'), size: -5 },
    { ...upload('files:acme', 'a.pdf'), mime: 'pdf' },
    { ...upload('files:acme', 'a.pdf'), owner: 'mallory' },
    { channel: 'files:acme', path: 'a\u0000b' },
  ];
  for (const payload of bad) {
    const r = await a.request(payload === bad[5] ? 'file_delete' : 'file_upload', payload);
    assert.equal(r.type === 'error' && r.payload.code, 'invalid_message', JSON.stringify(payload));
    assert.ok(!JSON.stringify(r).includes('passwd') && !JSON.stringify(r).includes('mallory'));
  }
  assert.equal(a.closeCode, undefined);
  a.close();
});

test('subscribe with since replays every later event once, in order, then live, while publishes race', async () => {
  const h = await hub();
  const a = await TestClient.connect(h, await token('alice', ALICE));
  for (let i = 0; i < 30; i++) await a.request('file_upload', upload('files:acme', `f${i}.pdf`));
  const r = await TestClient.connect(h, await token('reader', READER));
  const racing = (async () => {
    for (let i = 30; i < 60; i++) await a.request('file_upload', upload('files:acme', `f${i}.pdf`));
  })();
  const sub = await r.request('subscribe', { channel: 'files:acme', since: 10 });
  assert.equal(sub.type, 'subscribed');
  // `subscribed` comes before the first replayed event.
  assert.ok(r.inbox.findIndex((m) => m.type === 'subscribed') < r.inbox.findIndex((m) => m.type === 'event') || r.events().length === 0);
  await racing;
  await r.until(() => r.events().length >= 50);
  assert.deepEqual(r.events(), Array.from({ length: 50 }, (_, i) => i + 11));
  a.close();
  r.close();
});

test('resubscribing many times while publishing: each subscription sees a gap-free run', async () => {
  const h = await hub();
  const a = await TestClient.connect(h, await token('alice', ALICE));
  const r = await TestClient.connect(h, await token('reader', READER));
  let published = 0;
  const pub = (async () => {
    for (; published < 80; ) {
      await a.request('file_upload', upload('files:acme', `g${published}.pdf`));
      published++;
    }
  })();
  let since = 0;
  for (let round = 0; round < 8; round++) {
    const answer = await r.request('subscribe', { channel: 'files:acme', since });
    // Frames after this `subscribed` belong to the new subscription (the old one was replaced first).
    const start = r.inbox.indexOf(answer) + 1;
    await new Promise((res) => setTimeout(res, 30));
    const seqs = r.inbox.slice(start).flatMap((m) => (m.type === 'event' ? [m.payload.seq] : []));
    if (seqs.length) {
      assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => since + 1 + i), `round ${round}`);
      since = seqs.at(-1)!;
    }
  }
  await pub;
  a.close();
  r.close();
});

test('retention: history older than kept answers history_gone', async () => {
  const h = await hub({ retention: { maxEvents: 5, maxAgeMs: 0 } });
  const a = await TestClient.connect(h, await token('alice', ALICE));
  for (let i = 0; i < 12; i++) await a.request('file_upload', upload('files:acme', `h${i}.pdf`));
  await h.store.prune();
  const gone = await a.request('subscribe', { channel: 'files:acme', since: 2 });
  assert.equal(gone.type === 'error' && gone.payload.code, 'history_gone');
  const ok = await a.request('subscribe', { channel: 'files:acme', since: 8 });
  assert.equal(ok.type, 'subscribed');
  await a.until(() => a.events().length === 4);
  assert.deepEqual(a.events(), [9, 10, 11, 12]);
  a.close();
});

test('unsubscribe stops delivery; unsubscribing twice answers not_subscribed', async () => {
  const h = await hub();
  const a = await TestClient.connect(h, await token('alice', ALICE));
  await a.request('subscribe', { channel: 'files:acme' });
  assert.equal((await a.request('unsubscribe', { channel: 'files:acme' })).type, 'unsubscribed');
  const again = await a.request('unsubscribe', { channel: 'files:acme' });
  assert.equal(again.type === 'error' && again.payload.code, 'not_subscribed');
  await a.request('file_upload', upload('files:acme', 'z.pdf'));
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(a.events(), []);
  assert.equal(h.hub.stats().channels, 0);
  a.close();
});
