/**
 * Fault drills on the hub's SQLite event log under publish/subscribe load: the file made
 * read-only (chattr +i, which stops root too) and the disk full (a real SQLITE_FULL through
 * max_page_count). Publishes get `unavailable`, nothing acknowledged is lost, service resumes
 * without a restart when the fault clears, and a subscriber sees every acknowledged event once.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type Database from 'better-sqlite3';
import { ALICE, READER, TestClient, removeDir, startTestHub, token, type TestHub } from '../hub/support.js';
import { loggedSeqs, publishUntil, range, type PublishLog } from './lib/load.js';

const CHANNEL = 'files:acme';
const hubs: TestHub[] = [];
const immutable: string[] = [];
after(async () => {
  for (const f of immutable) chattr('-i', f);
  for (const h of hubs) {
    await h.close(1_000);
    removeDir(h.dir);
  }
});

function chattr(flag: '+i' | '-i', file: string): boolean {
  try {
    execFileSync('chattr', [flag, file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Run {
  readonly hub: TestHub;
  readonly publisher: TestClient;
  readonly subscriber: TestClient;
  readonly log: PublishLog;
}

async function start(onOpen?: (db: Database.Database) => void): Promise<Run> {
  // The message rate limit lifted: the drill is about the event log, not throttling.
  const hub = await startTestHub({}, { guard: { messageRate: { perSec: 10_000, burst: 10_000 } }, ...(onOpen ? { sqlite: { onOpen } } : {}) });
  hubs.push(hub);
  const publisher = await TestClient.connect(hub, await token('alice', ALICE));
  const subscriber = await TestClient.connect(hub, await token('reader', READER));
  assert.equal((await subscriber.request('subscribe', { channel: CHANNEL })).type, 'subscribed');
  const log: PublishLog = { acked: [], errors: [] };
  await publishUntil(publisher, CHANNEL, log, () => log.acked.length >= 30);
  return { hub, publisher, subscriber, log };
}

/** The outage phase, the recovery phase, then the checks that nothing acknowledged was lost. */
async function outageThenRecovery(run: Run, fault: () => void, clear: () => void): Promise<string> {
  const { hub, publisher, subscriber, log } = run;
  const before = log.acked.length;
  fault();
  await publishUntil(publisher, CHANNEL, log, () => log.errors.length >= 20, 500);
  const during = log.acked.length - before;
  assert.ok(log.errors.length >= 20, `publishes are refused during the fault: ${JSON.stringify(log.errors.slice(0, 5))}`);
  assert.deepEqual([...new Set(log.errors)], ['unavailable'], 'and refused as unavailable');
  const health = await (await fetch(`${hub.url}/healthz`)).status;
  clear();
  const resumeFrom = log.acked.length;
  await publishUntil(publisher, CHANNEL, log, () => log.acked.length >= resumeFrom + 30, 500);
  assert.equal(log.acked.length, resumeFrom + 30, 'publishing resumed without a restart');
  // Acknowledged seqs are gap-free from 1: a refused publish used up no seq.
  assert.deepEqual(log.acked, range(1, log.acked.length));
  // Every acknowledged event is in the log, once, in order.
  const stored = await loggedSeqs(hub.store, CHANNEL);
  assert.deepEqual(stored, log.acked, 'the log holds exactly the acknowledged events');
  // The live subscriber got each acknowledged event exactly once, in order.
  await subscriber.until(() => subscriber.events(CHANNEL).length >= log.acked.length);
  assert.deepEqual(subscriber.events(CHANNEL), log.acked, 'the subscriber saw every acknowledged event once, in order');
  return `${before} acked before, ${during} during, ${log.errors.length} refused unavailable, /healthz ${health} during the fault, ${log.acked.length} acked in all`;
}

test('SQLite file made read-only mid-run (chattr +i): unavailable, nothing acknowledged lost, resumes', async (t) => {
  const run = await start();
  const db = `${run.hub.dir}/events.db`;
  if (!chattr('+i', `${db}-wal`)) return t.skip('chattr +i unavailable (needs root or CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs)');
  chattr('-i', `${db}-wal`);
  const files = [db, `${db}-wal`];
  const summary = await outageThenRecovery(
    run,
    () => files.forEach((f) => chattr('+i', f) && immutable.push(f)),
    () => files.forEach((f) => chattr('-i', f)),
  );
  t.diagnostic(summary);
});

test('disk full mid-run (SQLITE_FULL via max_page_count): unavailable, nothing acknowledged lost, resumes', async (t) => {
  // max_page_count is per connection: the store's onOpen hands the drill its connection.
  let opened: Database.Database | undefined;
  const run = await start((d) => {
    opened = d;
  });
  assert.ok(opened, 'the hub opened its SQLite store through onOpen');
  const db = opened;
  const summary = await outageThenRecovery(
    run,
    () => db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`),
    () => db.pragma('max_page_count = 1073741823'),
  );
  t.diagnostic(summary);
});

// Redis stopped and restarted under load: test/cluster/redis-outage.test.ts (three nodes, publishes
// answer `unavailable` while it is down, nothing acknowledged is lost, subscribers catch up after).
