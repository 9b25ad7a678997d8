/**
 * A restored backup of the hub's SQLite file, end to end on real files and sockets: events written,
 * an online backup taken, more events, the hub stopped, the backup put back,
 * the hub started again on it, new events published (reusing seqs the client already saw), and a
 * real SDK client resumes with its last seq. With the generation check (the default) it is told (epoch
 * change) and gets the restored log from its first event; with the check off (the control) the
 * same steps make it skip the new events silently, which is what the check is for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { createClient, type FileEvent, type HistoryGoneInfo } from '../../src/client/index.js';
import { NodeWebSocket, waitFor } from '../client/support/util.js';
import { execFileSync } from 'node:child_process';
import type { HubConfig } from '../../src/config/index.js';
import type { StartOptions } from '../../src/hub/app.js';
import { deleteKeys, plainClient, randomPrefix, REDIS_URL, redisSkipReason } from '../cluster/redis-helpers.js';
import { startTestHub, removeDir, TestClient, token, upload, ALICE, READER, type TestHub } from './support.js';

const CH = 'files:acme';

interface Outcome {
  got: FileEvent[];
  gone: HistoryGoneInfo[];
  oldEpoch: string;
  /** The restarted hub's warnings. */
  warnings: { msg: string; outcome?: string; rotatedEpochs?: number }[];
}

/**
 * 5 events, backup, 3 more (the client saw 1..8), stop, restore, start, 5 new events published on the
 * restored log (seqs 6..10, three of them seqs the client had) while the client is kept away (its
 * ticket provider waits), then the client resumes.
 */
/** How the log is backed up (while the hub runs) and restored (while it is stopped). */
interface Backend {
  readonly config: Partial<HubConfig>;
  readonly options: StartOptions;
  backup(dir: string): Promise<void>;
  restore(dir: string): Promise<void>;
  close?(): void;
}

function sqliteBackend(check: boolean): Backend {
  return {
    config: {},
    options: check ? {} : { sqlite: { generationFile: false } },
    async backup(dir) {
      const live = new Database(join(dir, 'events.db'), { readonly: true });
      await live.backup(join(dir, 'backup.db')); // online, with SQLite's backup API
      live.close();
    },
    async restore(dir) {
      for (const f of ['events.db-wal', 'events.db-shm']) rmSync(join(dir, f), { force: true });
      copyFileSync(join(dir, 'backup.db'), join(dir, 'events.db'));
    },
  };
}

async function scenario(backend: Backend, until: (o: Outcome) => boolean): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-restore-'));
  const first = await startTestHub(backend.config, { dir, ...backend.options });
  const port = first.port;
  let second: TestHub | undefined;
  const reader = await token('reader', READER, 3600);
  let gate: Promise<void> = Promise.resolve();
  let openGate = () => {};
  const ticket = async (): Promise<string> => {
    await gate;
    const r = await fetch(`http://127.0.0.1:${port}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${reader}` } });
    const body = (await r.json()) as { ticket?: string };
    if (!body.ticket) throw new Error(`no ticket (HTTP ${r.status})`);
    return body.ticket;
  };
  const got: FileEvent[] = [];
  const gone: HistoryGoneInfo[] = [];
  const client = createClient({ url: first.wsUrl, WebSocket: NodeWebSocket, ticket, backoff: { initialMs: 20, maxMs: 100 } });
  const warnings: Outcome['warnings'] = [];
  try {
    await client.subscribe(CH, { onEvent: (e) => got.push(e), onHistoryGone: (i) => gone.push(i) }).ready;
    const pub = await TestClient.connect(first, await token('alice', ALICE));
    for (let i = 1; i <= 5; i++) await pub.request('file_upload', upload(CH, `a-${i}.pdf`));
    await backend.backup(dir);
    for (let i = 6; i <= 8; i++) await pub.request('file_upload', upload(CH, `b-${i}.pdf`));
    await waitFor(() => got.length === 8, 'the 8 events');
    const oldEpoch = got[0]!.epoch!;
    pub.close();
    gate = new Promise((resolve) => (openGate = resolve)); // the client stays away until the new events are in
    await first.close(1000);

    await backend.restore(dir);
    const logger = pino({ level: 'warn' }, new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of String(chunk).split('\n')) if (l.trim()) warnings.push(JSON.parse(l) as Outcome['warnings'][number]);
        cb();
      },
    }));
    second = await startTestHub({ ...backend.config, port }, { dir, logger, ...backend.options });
    const pub2 = await TestClient.connect(second, await token('alice', ALICE));
    for (let i = 6; i <= 10; i++) {
      const ack = await pub2.request('file_upload', upload(CH, `new-${i}.pdf`));
      assert.equal(ack.type === 'ack' && ack.payload.seq, i, 'the restored log goes on from its head (5)');
    }
    pub2.close();
    openGate();
    const outcome = { got, gone, oldEpoch, warnings };
    await waitFor(() => client.reconnects === 1 && until(outcome), 'the client resumed', 15_000);
    // A round trip after the resume: whatever the hub was going to send for it has arrived.
    await client.ping();
    return outcome;
  } finally {
    backend.close?.();
    openGate();
    client.close();
    await first.close(1000).catch(() => undefined);
    await second?.close(1000).catch(() => undefined);
    removeDir(dir);
  }
}

test('restored backup, generation check on: the resuming client sees the epoch change and gets the restored log from seq 1, nothing skipped', async () => {
  const o = await scenario(sqliteBackend(true), ({ got }) => got.length >= 18);
  const warned = o.warnings.filter((w) => w.msg.startsWith('the event log is not the one this hub last wrote'));
  assert.deepEqual(warned.map((w) => [w.outcome, w.rotatedEpochs]), [['restored', 1]], 'the restarted hub says so, once');
  assert.deepEqual(o.gone, [{ channel: CH, lastSeq: 8, reason: 'epoch' }]);
  const after = o.got.slice(8);
  assert.deepEqual(
    after.map((e) => [e.seq, e.path]),
    [1, 2, 3, 4, 5].map((i) => [i, `a-${i}.pdf`]).concat([6, 7, 8, 9, 10].map((i) => [i, `new-${i}.pdf`])),
    'the restored log, new events 6..8 included',
  );
  assert.ok(after.every((e) => e.epoch !== undefined && e.epoch !== o.oldEpoch));
});

test('control, generation check off: the same steps skip the new events 6..8 silently (the issue the check fixes)', async () => {
  const o = await scenario(sqliteBackend(false), ({ got }) => got.length >= 10);
  assert.deepEqual(o.gone, [], 'nothing told');
  assert.equal(o.warnings.filter((w) => w.msg.startsWith('the event log is not')).length, 0);
  assert.deepEqual(o.got.slice(8).map((e) => [e.seq, e.path]), [[9, 'new-9.pdf'], [10, 'new-10.pdf']], 'resumed after seq 8: new-6..new-8 never delivered');
  assert.ok(o.got.slice(8).every((e) => e.epoch === o.oldEpoch), 'under the old epoch');
});

/**
 * Redis: a snapshot restored (the channel's seq counter and history put back as they were at the
 * backup, its epoch key untouched: what reloading an RDB does). `rotate` runs the command
 * docs/cluster.md gives for it, as written there (plus the test's URL and prefix).
 */
function redisBackend(prefix: string, rotate: boolean): Backend {
  const redis = plainClient();
  const keys = [`${prefix}ch:{${CH}}:seq`, `${prefix}ch:{${CH}}:log`];
  let dumps: (Buffer | null)[] = [];
  return {
    config: { redis: { url: REDIS_URL, prefix } },
    options: {},
    async backup() {
      dumps = await Promise.all(keys.map((k) => redis.dumpBuffer(k)));
    },
    async restore() {
      for (let i = 0; i < keys.length; i++) await redis.restore(keys[i]!, 0, dumps[i]!, 'REPLACE');
      if (rotate) {
        const cli = `redis-cli -u ${REDIS_URL}`;
        execFileSync('sh', ['-c', `${cli} --scan --pattern '${prefix}ch:{*}:epoch' | xargs -r -n 100 ${cli} unlink`], { stdio: 'ignore', timeout: 10_000 });
      }
    },
    close: () => redis.disconnect(),
  };
}

const noRedis = await redisSkipReason();
const noCli = (() => {
  try {
    execFileSync('redis-cli', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'needs redis-cli (the documented command)';
  }
})();

test('Redis: a restored snapshot, then the documented epoch-key deletion: the resuming client sees the epoch change, nothing skipped', { skip: noRedis ?? noCli }, async (t) => {
  const prefix = randomPrefix();
  t.after(async () => {
    const r = plainClient();
    await deleteKeys(r, prefix);
    r.disconnect();
  });
  const o = await scenario(redisBackend(prefix, true), ({ got }) => got.length >= 18);
  assert.deepEqual(o.gone, [{ channel: CH, lastSeq: 8, reason: 'epoch' }]);
  assert.deepEqual(
    o.got.slice(8).map((e) => [e.seq, e.path]),
    [1, 2, 3, 4, 5].map((i) => [i, `a-${i}.pdf`]).concat([6, 7, 8, 9, 10].map((i) => [i, `new-${i}.pdf`])),
  );
});

test('Redis control: the same restore without the deletion skips the new events 6..8 silently (what docs/cluster.md warns of)', { skip: noRedis }, async (t) => {
  const prefix = randomPrefix();
  t.after(async () => {
    const r = plainClient();
    await deleteKeys(r, prefix);
    r.disconnect();
  });
  const o = await scenario(redisBackend(prefix, false), ({ got }) => got.length >= 10);
  assert.deepEqual(o.gone, []);
  assert.deepEqual(o.got.slice(8).map((e) => e.seq), [9, 10]);
});
