/**
 * The SQLite store recognises a database that is not the one it last wrote, on real files: a reopen
 * keeps the epochs; a restored backup (same generation, fewer commits), a replaced file (another
 * generation), or a database whose generation file is gone gets a new epoch on every channel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../../src/store/sqlite.js';

const CHANNELS = ['files:a', 'files:b', 'files:c'];
const ev = (channel: string, i: number) => ({ channel, kind: 'file_delete' as const, path: `f-${i}`, by: 'alice', at: new Date().toISOString() });

async function epochs(store: SqliteEventStore): Promise<(string | undefined)[]> {
  return Promise.all(CHANNELS.map((c) => store.epoch(c)));
}

/** An online backup with SQLite's backup API (what docs/server.md tells operators to use). */
async function backup(file: string, to: string): Promise<void> {
  const db = new Database(file, { readonly: true });
  try {
    await db.backup(to);
  } finally {
    db.close();
  }
}

function restore(copy: string, file: string): void {
  for (const f of [`${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  copyFileSync(copy, file);
}

test('generation: reopen keeps epochs; a restored backup, a replaced file and a lost generation file rotate every epoch', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-gen-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'events.db');
  const side = join(dir, '.events.db.generation');

  let store = new SqliteEventStore({ path: file });
  assert.equal(store.generation.outcome, 'first');
  assert.equal(store.generation.file, side);
  for (const c of CHANNELS) for (let i = 0; i < 3; i++) await store.append(ev(c, i));
  const e1 = await epochs(store);
  assert.ok(e1.every((e) => e !== undefined));
  assert.match(readFileSync(side, 'utf8'), /^wsguard-event-log-generation v1 [A-Za-z0-9_-]{22} 0{15}9\n$/, 'one commit counted per append transaction');
  await backup(file, join(dir, 'backup.db'));
  await store.append(ev('files:a', 9)); // after the backup
  await store.close();

  // A plain reopen: the same database.
  store = new SqliteEventStore({ path: file });
  assert.deepEqual(store.generation, { outcome: 'same', rotated: 0, file: side });
  assert.deepEqual(await epochs(store), e1);
  await store.close();

  // The backup restored over it: fewer commits than the generation file records.
  restore(join(dir, 'backup.db'), file);
  store = new SqliteEventStore({ path: file });
  assert.deepEqual(store.generation, { outcome: 'restored', rotated: 3, file: side });
  const e2 = await epochs(store);
  for (let i = 0; i < CHANNELS.length; i++) assert.notEqual(e2[i], e1[i], CHANNELS[i]);
  assert.equal(await store.head('files:a'), 3, 'the restored log itself is kept');
  await store.append(ev('files:a', 4));
  assert.deepEqual(await epochs(store), e2, 'an append to the restored log keeps its new epoch');
  await store.close();
  store = new SqliteEventStore({ path: file });
  assert.equal(store.generation.outcome, 'same', 'the restore is recorded: the next start is normal');
  assert.deepEqual(await epochs(store), e2);
  await store.close();

  // Another database put in its place (another hub's file): another generation.
  const otherFile = join(dir, 'other', 'events.db');
  const other = new SqliteEventStore({ path: otherFile });
  for (const c of CHANNELS) await other.append(ev(c, 0));
  await other.close();
  restore(otherFile, file);
  store = new SqliteEventStore({ path: file });
  assert.equal(store.generation.outcome, 'replaced');
  assert.equal(store.generation.rotated, 3);
  await store.close();

  // The generation file lost (or the database moved without it): it cannot be checked, so rotate.
  const before = await (async () => {
    const s = new SqliteEventStore({ path: file });
    const e = await epochs(s);
    await s.close();
    return e;
  })();
  rmSync(side);
  store = new SqliteEventStore({ path: file });
  assert.equal(store.generation.outcome, 'unverifiable');
  const after = await epochs(store);
  for (let i = 0; i < CHANNELS.length; i++) assert.notEqual(after[i], before[i]);
  await store.close();
  assert.ok(existsSync(side), 'written again');

  // An unreadable generation file counts the same; `generationFile: false` turns the check off.
  writeFileSync(side, 'garbage\n');
  store = new SqliteEventStore({ path: file });
  assert.equal(store.generation.outcome, 'unverifiable');
  await store.close();
  restore(join(dir, 'backup.db'), file);
  store = new SqliteEventStore({ path: file, generationFile: false });
  assert.deepEqual(store.generation, { outcome: 'off', rotated: 0, file: undefined });
  assert.deepEqual(await epochs(store), e1, 'without the check the backup brings its old epochs back');
  await store.close();
});

test('generation: the file may lag the database (a crash between the commit and its update) without being taken for a restore', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-gen-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'events.db');
  const side = join(dir, '.events.db.generation');
  let store = new SqliteEventStore({ path: file });
  await store.append(ev('files:a', 1));
  const lagging = readFileSync(side);
  await store.append(ev('files:a', 2));
  const e = await store.epoch('files:a');
  await store.close();
  writeFileSync(side, lagging); // as if the process died right after the second commit
  store = new SqliteEventStore({ path: file });
  assert.equal(store.generation.outcome, 'same');
  assert.equal(await store.epoch('files:a'), e);
  await store.close();
});
