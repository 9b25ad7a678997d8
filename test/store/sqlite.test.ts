import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { SqliteEventStore, EventStoreOpenError } from '../../src/store/index.js';
import { channelLimitsContract } from './channel-limits.js';
import { eventStoreContract, isUnavailable, newEvent, range, replayAll, seqs } from './contract.js';

const root = mkdtempSync(join(tmpdir(), 'wsguard-sqlite-'));
after(() => {
  for (const f of [root, ...walkFiles(root)]) chattr('-i', f, true);
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const freshPath = () => join(root, `db-${++n}`, 'events.db');

// synchronous NORMAL keeps the suite fast on real disks; FULL is exercised in its own test below.
eventStoreContract('sqlite', async (opts) => new SqliteEventStore({ ...opts, path: freshPath(), synchronous: 'NORMAL' }), {
  fakeClock: true,
  exactPruneCount: true,
});

test('sqlite: creates the directory, uses WAL and the chosen synchronous level, schema as documented', async () => {
  const path = freshPath();
  const s = new SqliteEventStore({ path });
  await s.append(newEvent('files:a', 1));
  assert.equal(s.synchronous, 'FULL', 'FULL is the default');
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string; sql: string }[];
  assert.deepEqual(tables.map((t) => t.name), ['channels', 'epochs', 'events', 'health_probe', 'meta']);
  // The generation (see docs/storage.md): an id, and one commit counted for the one append.
  const meta = Object.fromEntries((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: unknown }[]).map((r) => [r.key, r.value]));
  assert.match(String(meta.generation), /^[A-Za-z0-9_-]{22}$/);
  assert.equal(meta.commits, 1);
  assert.match(tables.find((t) => t.name === 'events')!.sql, /PRIMARY KEY \(channel, seq\)\s*\)\s*WITHOUT ROWID/);
  assert.deepEqual(db.prepare('SELECT channel, head, floor FROM channels').all(), [{ channel: 'files:a', head: 1, floor: 0 }]);
  db.close();
  await s.close();
  const normal = new SqliteEventStore({ path, synchronous: 'NORMAL', onOpen: (d) => assert.equal(d.pragma('synchronous', { simple: true }), 1) });
  await normal.close();
  assert.throws(() => new SqliteEventStore({ path, synchronous: 'OFF' as 'FULL' }), RangeError);
});

test('sqlite: reopening the same file after close keeps every event, head and floor', async () => {
  const path = freshPath();
  let s = new SqliteEventStore({ path, retention: { maxEvents: 3, maxAgeMs: 0 } });
  const acks = await Promise.all(range(1, 10).map((i) => s.append(newEvent('files:r', i))));
  await s.prune();
  await s.close();
  s = new SqliteEventStore({ path, retention: { maxEvents: 3, maxAgeMs: 0 } });
  assert.equal(await s.head('files:r'), 10);
  assert.deepEqual(await replayAll(s, 'files:r', 7), acks.slice(7));
  assert.equal((await s.replay('files:r', 6, 10)).gone, true);
  assert.equal((await s.append(newEvent('files:r', 11))).seq, 11);
  await s.close();
});

test('sqlite: a child SIGKILLed mid-stream loses no acknowledged event (NORMAL and FULL)', async () => {
  for (const sync of ['NORMAL', 'FULL']) {
    const path = freshPath();
    mkdirSync(join(path, '..'), { recursive: true });
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/append-child.ts', import.meta.url)), path, sync], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked: { seq: number; path: string }[] = [];
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    for await (const line of createInterface({ input: child.stdout })) {
      const [seq, p] = line.split(' ');
      acked.push({ seq: Number(seq), path: p! });
      if (acked.length === 400) child.kill('SIGKILL');
    }
    assert.equal(await exited, 'SIGKILL');
    const s = new SqliteEventStore({ path });
    const stored = await replayAll(s, 'files:kill', 0, 128);
    // The log is gap-free from 1, and every acknowledged seq is in it exactly once with its content.
    assert.deepEqual(seqs(stored), range(1, stored.length), `${sync}: gap-free and ordered`);
    const bySeq = new Map(stored.map((e) => [e.seq, e.path]));
    assert.ok(acked.length >= 400);
    for (const a of acked) assert.equal(bySeq.get(a.seq), a.path, `${sync}: acked seq ${a.seq} stored`);
    assert.equal(new Set(acked.map((a) => a.seq)).size, acked.length, 'no seq acked twice');
    assert.equal(await s.head('files:kill'), stored.length);
    if (process.env.WSGUARD_TEST_VERBOSE) console.log(`${sync}: ${acked.length} acknowledged, ${stored.length} stored`);
    assert.equal((await s.append(newEvent('files:kill', 0))).seq, stored.length + 1);
    await s.close();
  }
});

test('sqlite: a 100k-event channel replays completely in pages', async () => {
  const path = freshPath();
  const s = new SqliteEventStore({ path, synchronous: 'NORMAL' });
  const total = 100_000;
  for (let i = 0; i < total; i += 5000) await Promise.all(range(i + 1, i + 5000).map((k) => s.append(newEvent('files:big', k))));
  assert.equal(await s.head('files:big'), total);
  let since = 0;
  let pages = 0;
  for (;;) {
    const r = await s.replay('files:big', since, 1000);
    assert.equal(r.gone, false);
    if (r.gone || r.events.length === 0) break;
    assert.equal(r.events[0]!.seq, since + 1);
    assert.equal(r.events[r.events.length - 1]!.seq, since + r.events.length);
    assert.equal(r.events[r.events.length - 1]!.size, since + r.events.length);
    since += r.events.length;
    pages++;
  }
  assert.equal(since, total);
  assert.equal(pages, 100);
  await s.close();
});

test('sqlite: retention of a large backlog is chunked and appends still go through meanwhile', async () => {
  const path = freshPath();
  const s = new SqliteEventStore({ path, synchronous: 'NORMAL', retention: { maxEvents: 100, maxAgeMs: 0 }, pruneChunk: 1000 });
  await Promise.all(range(1, 10_000).map((k) => s.append(newEvent('files:chunk', k))));
  const pruning = s.prune();
  const during = await s.append(newEvent('files:chunk', 10_001));
  assert.equal(during.seq, 10_001);
  assert.equal(await pruning, 9_900);
  assert.deepEqual(seqs(await replayAll(s, 'files:chunk', 9_900)), range(9_901, 10_001));
  await s.close();
});

test('sqlite: the prune timer applies retention on its own', async () => {
  const s = new SqliteEventStore({ path: freshPath(), synchronous: 'NORMAL', retention: { maxEvents: 2, maxAgeMs: 0 }, pruneIntervalMs: 20 });
  for (let i = 1; i <= 5; i++) await s.append(newEvent('files:t', i));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await s.replay('files:t', 2, 10)).gone, true);
  assert.deepEqual(seqs(await replayAll(s, 'files:t', 3)), [4, 5]);
  await s.close();
});

// ---- failures ----

async function expectOutageThenRecovery(s: SqliteEventStore, channel: string, inject: () => void, clear: () => void) {
  const before = await s.append(newEvent(channel, 1));
  inject();
  const failing = await Promise.allSettled([s.append(newEvent(channel, 2)), s.append(newEvent(channel, 3))]);
  for (const r of failing) assert.ok(r.status === 'rejected' && isUnavailable(r.reason), `append refused with unavailable: ${JSON.stringify(r)}`);
  assert.equal(await s.healthy(), false);
  // Reads still answer, and show nothing of the failed appends.
  assert.deepEqual(await s.replay(channel, 0, 10), { gone: false, events: [before], head: before.seq });
  clear();
  assert.equal(await s.healthy(), true);
  const after = await s.append(newEvent(channel, 4));
  assert.equal(after.seq, before.seq + 1, 'no seq was used up by the failed appends');
  assert.deepEqual(seqs(await replayAll(s, channel, 0)), [before.seq, after.seq]);
}

test('sqlite: disk full (real SQLITE_FULL via max_page_count) → unavailable, then recovery without restart', async () => {
  let db!: Database.Database;
  const s = new SqliteEventStore({ path: freshPath(), healthProbeIntervalMs: 0, onOpen: (d) => (db = d) });
  await Promise.all(range(1, 200).map((i) => s.append(newEvent('files:warm', i))));
  // The "disk" is full now: the file may not grow by a single page. Append until a page is needed.
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  let last = 0;
  let refused: unknown;
  for (let i = 1; i <= 10_000 && refused === undefined; i++) {
    await s.append(newEvent('files:full', i)).then((e) => (last = e.seq), (err: unknown) => (refused = err));
  }
  assert.ok(isUnavailable(refused), 'refused with unavailable once the file could not grow');
  assert.ok(((refused as Error).cause as { code: string }).code === 'SQLITE_FULL');
  await assert.rejects(s.append(newEvent('files:full', 0)), isUnavailable);
  assert.equal(await s.healthy(), false);
  assert.deepEqual(seqs(await replayAll(s, 'files:full', 0)), range(1, last), 'reads still work and show no half-written append');
  db.pragma('max_page_count = 1073741823'); // space freed
  assert.equal(await s.healthy(), true);
  assert.equal((await s.append(newEvent('files:full', 0))).seq, last + 1, 'no seq was used up by the failed appends');
  assert.deepEqual(seqs(await replayAll(s, 'files:full', 0)), range(1, last + 1));
  await s.close();
});

test('sqlite: read-only file (chattr +i, which stops root too) → unavailable, then recovery', async (t) => {
  const path = freshPath();
  const s = new SqliteEventStore({ path, healthProbeIntervalMs: 0 });
  await s.append(newEvent('files:warm', 1));
  if (!chattr('+i', `${path}-wal`, true)) {
    t.skip('chattr +i not supported on this filesystem or without CAP_LINUX_IMMUTABLE; the query_only test covers SQLITE_READONLY');
    await s.close();
    return;
  }
  chattr('-i', `${path}-wal`);
  await expectOutageThenRecovery(
    s,
    'files:ro',
    () => {
      chattr('+i', path);
      chattr('+i', `${path}-wal`);
    },
    () => {
      chattr('-i', path);
      chattr('-i', `${path}-wal`);
    },
  );
  await s.close();
});

test('sqlite: SQLITE_READONLY (PRAGMA query_only) → unavailable, then recovery', async () => {
  let db!: Database.Database;
  const s = new SqliteEventStore({ path: freshPath(), healthProbeIntervalMs: 0, onOpen: (d) => (db = d) });
  await expectOutageThenRecovery(s, 'files:qo', () => db.pragma('query_only = ON'), () => db.pragma('query_only = OFF'));
  await s.close();
});

test('sqlite: another process holding the write lock (SQLITE_BUSY) → unavailable after busyTimeoutMs, then recovery', async () => {
  const path = freshPath();
  const s = new SqliteEventStore({ path, busyTimeoutMs: 50, healthProbeIntervalMs: 0 });
  const other = new Database(path);
  await expectOutageThenRecovery(s, 'files:busy', () => other.exec('BEGIN EXCLUSIVE'), () => other.exec('ROLLBACK'));
  other.close();
  await s.close();
});

test('sqlite: opening a corrupt or unopenable file fails with an error naming the path', () => {
  const garbage = join(root, 'garbage.db');
  writeFileSync(garbage, Buffer.alloc(8192, 'not a database '));
  assert.throws(
    () => new SqliteEventStore({ path: garbage }),
    (e: unknown) => e instanceof EventStoreOpenError && e.path === garbage && e.message.includes(garbage) && /not a database/i.test(e.message),
  );
  const underFile = join(garbage, 'sub', 'events.db'); // its "directory" is a file
  assert.throws(() => new SqliteEventStore({ path: underFile }), (e: unknown) => e instanceof EventStoreOpenError && e.message.includes(underFile));
  const dirAsFile = join(root, 'a-directory');
  mkdirSync(dirAsFile);
  assert.throws(() => new SqliteEventStore({ path: dirAsFile }), (e: unknown) => e instanceof EventStoreOpenError && e.message.includes(dirAsFile));
  // A newer schema is refused rather than misread.
  const newer = join(root, 'newer.db');
  const d = new Database(newer);
  d.pragma('user_version = 99');
  d.close();
  assert.throws(() => new SqliteEventStore({ path: newer }), /newer than this wsguard understands/);
});

function chattr(flag: string, file: string, quiet = false): boolean {
  try {
    execFileSync('chattr', [flag, file], { stdio: 'ignore' });
    return true;
  } catch (e) {
    if (quiet) return false;
    throw e;
  }
}

function walkFiles(dir: string): string[] {
  try {
    return execFileSync('find', [dir], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

channelLimitsContract('sqlite', async (opts) => new SqliteEventStore({ ...opts, path: freshPath(), synchronous: 'NORMAL' }));

test('sqlite: prune over many channels runs in slices, yielding to the event loop between them', async () => {
  const s = new SqliteEventStore({ path: freshPath(), synchronous: 'NORMAL', retention: { maxEvents: 10, maxAgeMs: 86_400_000 }, pruneSlice: 100 });
  await Promise.all(range(1, 2000).map((i) => s.append(newEvent(`files:c${i}`, 1))));
  let turns = 0;
  let running = true;
  const count = () => {
    turns++;
    if (running) setImmediate(count);
  };
  setImmediate(count);
  assert.equal(await s.prune(), 0, 'nothing to remove: the work is only reading the channels');
  running = false;
  assert.ok(turns >= 2000 / 100, `the loop turned between slices (${turns} turns)`);
  await s.close();
});

test('sqlite: a run of old events longer than one chunk is pruned in bounded steps within one prune()', async () => {
  let clock = 1_000_000;
  const s = new SqliteEventStore({ path: freshPath(), synchronous: 'NORMAL', retention: { maxEvents: 0, maxAgeMs: 1000 }, pruneChunk: 10, pruneSlice: 2, now: () => clock });
  for (let i = 1; i <= 55; i++) await s.append(newEvent('files:long', i));
  await s.append(newEvent('files:gone', 1));
  clock += 2000;
  for (let i = 56; i <= 58; i++) await s.append(newEvent('files:long', i));
  assert.equal(await s.prune(), 56);
  assert.deepEqual(seqs((await replayAll(s, 'files:long', 55))), [56, 57, 58]);
  assert.equal((await s.replay('files:long', 54, 10)).gone, true);
  assert.equal(await s.head('files:gone'), 0, 'emptied, so forgotten');
  assert.equal(await s.channelTotal(), 1);
  await s.close();
});
