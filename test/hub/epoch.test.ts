/**
 * A reset log is detected, never silently skipped: each channel's log has an epoch (in `subscribed` and
 * in events); the client SDK treats a changed epoch like history_gone (callback, then the new log from
 * its first event); a `since` beyond the head is answered at once. On SQLite (a deleted file) and on
 * Redis (its keys gone, as after a restart without AOF).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type FileEvent, type HistoryGoneInfo } from '../../src/client/index.js';
import { SqliteEventStore } from '../../src/store/sqlite.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { RedisEventStore } from '../../src/store/redis.js';
import { NodeWebSocket, waitFor } from '../client/support/util.js';
import { deleteKeys, plainClient, randomPrefix, REDIS_URL, redisSkipReason } from '../cluster/redis-helpers.js';
import { startTestHub, removeDir, TestClient, token, upload, ALICE, READER, type TestHub } from './support.js';

const CH = 'files:acme';
const newEvent = (i: number) => ({ channel: CH, kind: 'file_upload' as const, path: `new-${i}.pdf`, size: 1, mime: 'application/pdf', sha256: 'b'.repeat(64), by: 'alice', at: new Date().toISOString() });

test('stores: an epoch is created with the log, kept with it (SQLite across a reopen), and new when the log starts again', async (t) => {
  const mem = new MemoryEventStore();
  assert.equal(await mem.epoch(CH), undefined, 'no log, no epoch');
  await mem.append(newEvent(1));
  const e1 = await mem.epoch(CH);
  assert.match(e1 ?? '', /^[A-Za-z0-9_-]{8,}$/);
  await mem.append(newEvent(2));
  assert.equal(await mem.epoch(CH), e1);
  mem.resetChannel(CH);
  await mem.append(newEvent(3));
  assert.notEqual(await mem.epoch(CH), e1);

  const hub = await startTestHub();
  t.after(async () => {
    await hub.close(1000).catch(() => undefined);
    removeDir(hub.dir);
  });
  await hub.close(1000);
  const file = join(hub.dir, 'epoch.db');
  let db = new SqliteEventStore({ path: file });
  assert.equal(await db.epoch(CH), undefined);
  await db.append(newEvent(1));
  const s1 = await db.epoch(CH);
  await db.close();
  db = new SqliteEventStore({ path: file });
  assert.equal(await db.epoch(CH), s1, 'stored with the log');
  await db.close();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  db = new SqliteEventStore({ path: file });
  await db.append(newEvent(1));
  assert.notEqual(await db.epoch(CH), s1, 'a deleted file is a new log');
  await db.close();
});

test('a since beyond the channel head is answered at once with history_gone (not by waiting)', async (t) => {
  const hub = await startTestHub();
  t.after(async () => {
    await hub.close(1000);
    removeDir(hub.dir);
  });
  const pub = await TestClient.connect(hub, await token('alice', ALICE));
  await pub.request('file_upload', upload(CH, 'a.pdf'));
  const sub = await TestClient.connect(hub, await token('reader', READER));
  const r = await sub.request('subscribe', { channel: CH, since: 100 });
  assert.equal(r.type === 'error' && r.payload.code, 'history_gone');
  const ok = await sub.request('subscribe', { channel: CH, since: 1 });
  assert.equal(ok.type, 'subscribed');
  assert.equal(ok.type === 'subscribed' && ok.payload.seq, 1);
  assert.match((ok.type === 'subscribed' && ok.payload.epoch) || '', /^[A-Za-z0-9_-]{8,}$/);
  pub.close();
  sub.close();
});

test('SQLite: the file is deleted and the hub restarts with a new log; the SDK is told (reason epoch) and gets the new log from its first event', async (t) => {
  const first = await startTestHub();
  const port = first.port;
  const dir = first.dir;
  const reader = await token('reader', READER, 3600);
  const got: FileEvent[] = [];
  const gone: HistoryGoneInfo[] = [];
  const client = createClient({ url: first.wsUrl, WebSocket: NodeWebSocket, token: () => reader, backoff: { initialMs: 20, maxMs: 100 } });
  const later: { hub?: TestHub } = {};
  t.after(async () => {
    client.close();
    await first.close(1000).catch(() => undefined);
    await later.hub?.close(1000).catch(() => undefined);
    removeDir(dir);
  });
  await client.subscribe(CH, { onEvent: (e) => got.push(e), onHistoryGone: (i) => gone.push(i) }).ready;
  const pub = await TestClient.connect(first, await token('alice', ALICE));
  for (let i = 0; i < 3; i++) await pub.request('file_upload', upload(CH, `old-${i}.pdf`));
  await waitFor(() => got.length === 3, 'old events');
  const oldEpoch = got[0]!.epoch;
  assert.ok(oldEpoch);
  pub.close();
  await first.close(1000);
  for (const f of ['events.db', 'events.db-wal', 'events.db-shm']) rmSync(join(dir, f), { force: true });
  // The new log gets 5 events before the client is back (e.g. other nodes, the HTTP API).
  const fresh = new SqliteEventStore({ path: join(dir, 'events.db') });
  for (let i = 1; i <= 5; i++) await fresh.append(newEvent(i));
  await fresh.close();
  later.hub = await startTestHub({ port }, { dir });
  await waitFor(() => got.length === 8, 'the new log delivered', 15_000);
  assert.deepEqual(gone, [{ channel: CH, lastSeq: 3, reason: 'epoch' }]);
  assert.deepEqual(got.slice(3).map((e) => [e.seq, e.path]), [1, 2, 3, 4, 5].map((i) => [i, `new-${i}.pdf`]), 'seqs 1..3 of the new log were not dropped as duplicates');
  assert.ok(got.slice(3).every((e) => e.epoch !== undefined && e.epoch !== oldEpoch));
});

const skip = await redisSkipReason();
test('Redis: the log\'s keys are gone (restart without AOF) while a subscriber is live; it is told and gets the new log', { skip }, async (t) => {
  const prefix = randomPrefix();
  const hub = await startTestHub({ redis: { url: REDIS_URL, prefix } });
  const redis = plainClient();
  const reader = await token('reader', READER, 3600);
  const got: FileEvent[] = [];
  const gone: HistoryGoneInfo[] = [];
  const client = createClient({ url: hub.wsUrl, WebSocket: NodeWebSocket, token: () => reader, backoff: { initialMs: 20, maxMs: 100 } });
  t.after(async () => {
    client.close();
    await hub.close(1000);
    removeDir(hub.dir);
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  await client.subscribe(CH, { onEvent: (e) => got.push(e), onHistoryGone: (i) => gone.push(i) }).ready;
  const pub = await TestClient.connect(hub, await token('alice', ALICE));
  for (let i = 0; i < 3; i++) await pub.request('file_upload', upload(CH, `old-${i}.pdf`));
  await waitFor(() => got.length === 3, 'old events');
  const oldEpoch = got[0]!.epoch;
  await deleteKeys(redis, `${prefix}ch:`);
  // Appends straight to the log (as another node would), in one burst: the new log is at 5 before the client is back.
  const conn = plainClient();
  const store = new RedisEventStore({ redis: conn, prefix });
  t.after(async () => {
    await store.close();
    conn.disconnect();
  });
  await Promise.all([1, 2, 3, 4, 5].map((i) => store.append(newEvent(i))));
  await waitFor(() => got.length === 8, 'the new log delivered', 15_000);
  assert.deepEqual(gone, [{ channel: CH, lastSeq: 3, reason: 'epoch' }]);
  assert.deepEqual(got.slice(3).map((e) => e.seq), [1, 2, 3, 4, 5]);
  assert.ok(got.slice(3).every((e) => e.epoch !== undefined && e.epoch !== oldEpoch));
  pub.close();
});
