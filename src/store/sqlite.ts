/**
 * The embedded event log: one SQLite file (better-sqlite3, WAL). docs/storage.md is the reference
 * for the schema, the durability guarantees and the failure behaviour.
 *
 * Appends that arrive in the same event-loop turn are committed together in one transaction
 * (group commit), so a `synchronous = FULL` fsync is paid once per batch, not once per event.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { WsguardError, type FileEvent, type FileEventKind } from '../protocol/index.js';
import { unavailable } from '../protocol/failures.js';
import { copyEvent } from './memory.js';
import {
  ChannelLimitError,
  checkChannelLimits,
  checkReplayArgs,
  checkRetention,
  NewChannelCounter,
  newEpoch,
  NO_RETENTION,
  type ChannelLimits,
  type EventStore,
  type EventStoreOptions,
  type NewEvent,
  type ReplayResult,
  type RetentionPolicy,
} from './types.js';

/**
 * `FULL` (default): a commit is fsynced before append resolves; survives power loss and OS crash.
 * `NORMAL`: in WAL mode survives the process being killed (SIGKILL, OOM) but an OS crash or power
 * loss may lose the last commits (never corrupts). `EXTRA` behaves as FULL in WAL mode.
 */
export type SqliteSynchronous = 'NORMAL' | 'FULL' | 'EXTRA';

export interface SqliteEventStoreOptions extends EventStoreOptions {
  /** Path of the SQLite file; its directory is created when missing. */
  readonly path: string;
  /** Default 'FULL'. */
  readonly synchronous?: SqliteSynchronous;
  /** How long a write waits for a lock held by another connection before failing `unavailable`. Default 500. */
  readonly busyTimeoutMs?: number;
  /** Most events committed in one transaction. Default 1000. */
  readonly maxBatch?: number;
  /** Most rows one prune transaction deletes (prune loops, yielding between them). Default 1000. */
  readonly pruneChunk?: number;
  /** Channels prune reads per slice (it yields to the event loop between slices). Default 200. */
  readonly pruneSlice?: number;
  /** While faulted, healthy() retries a real write at most this often. Default 1000. */
  readonly healthProbeIntervalMs?: number;
  /** Runs after the store's own set-up, before use: tuning, and fault injection in tests. */
  readonly onOpen?: (db: Database.Database) => void;
  /**
   * The generation file: mirrors the database's generation id and commit count outside it, so that
   * a database that is not the one this store last wrote (a restored backup, a copy, a replaced
   * file) is recognised at open and every channel's epoch is rotated (see GenerationCheck).
   * Default: `.<file name>.generation` next to the file; `false` turns the check off.
   */
  readonly generationFile?: string | false;
}

/**
 * What the open found, comparing the database with its generation file:
 * - `first`: no generation anywhere yet (a new file, or one written before generations existed);
 * - `same`: the database is the one this store last wrote, or newer (a crash between a commit and
 *   the file's update leaves the file behind, never ahead);
 * - `restored`: same generation, fewer commits than the file records: an older copy (a backup);
 * - `replaced`: another generation (another database, or one from before the file existed);
 * - `unverifiable`: the database has a generation but the file is missing or unreadable;
 * - `off`: `generationFile: false`.
 * For `restored`, `replaced` and `unverifiable` every channel's epoch was rotated (`rotated` channels):
 * seqs a client saw may be handed out again, so its saved seq must not be matched against this log.
 */
export interface GenerationCheck {
  readonly outcome: 'first' | 'same' | 'restored' | 'replaced' | 'unverifiable' | 'off';
  readonly rotated: number;
  /** The generation file's path (undefined when off). */
  readonly file: string | undefined;
}

/** Thrown by the constructor when the file cannot be opened as an event log. */
export class EventStoreOpenError extends Error {
  readonly path: string;
  constructor(path: string, reason: string, cause?: unknown) {
    super(`cannot open the event log at ${path}: ${reason}`, { cause });
    this.name = 'EventStoreOpenError';
    this.path = path;
  }
}

const SCHEMA_VERSION = 1;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS channels (
  channel TEXT PRIMARY KEY,
  head    INTEGER NOT NULL,
  floor   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  channel   TEXT    NOT NULL,
  seq       INTEGER NOT NULL,
  stored_ms INTEGER NOT NULL,
  kind      TEXT    NOT NULL,
  path      TEXT    NOT NULL,
  size      INTEGER,
  mime      TEXT,
  sha256    TEXT,
  sub       TEXT    NOT NULL,
  at        TEXT    NOT NULL,
  PRIMARY KEY (channel, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY, pad BLOB);
CREATE TABLE IF NOT EXISTS epochs (
  channel TEXT PRIMARY KEY,
  epoch   TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('commits', 0);
`;

interface EventRow {
  channel: string;
  seq: number;
  kind: FileEventKind;
  path: string;
  size: number | null;
  mime: string | null;
  sha256: string | null;
  sub: string;
  at: string;
}

interface Pending {
  event: NewEvent;
  resolve: (e: FileEvent) => void;
  reject: (err: unknown) => void;
}

/** Error codes that mean "the log cannot take this write now" (environment, not a bug). */
function isSqliteError(err: unknown): err is Error & { code: string } {
  if (!(err instanceof Error)) return false;
  const code: unknown = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

export class SqliteEventStore implements EventStore {
  readonly path: string;
  readonly retention: RetentionPolicy;
  readonly synchronous: SqliteSynchronous;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly onError: (err: unknown) => void;
  private readonly maxBatch: number;
  private readonly pruneChunk: number;
  private readonly probeEvery: number;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly stmt: {
    nextSeq: Database.Statement<[string]>;
    insert: Database.Statement<unknown[]>;
    channel: Database.Statement<[string]>;
    page: Database.Statement<[string, number, number]>;
    channels: Database.Statement<[]>;
    firstKept: Database.Statement<[string, number, number]>;
    deleteUpTo: Database.Statement<[string, number]>;
    setFloor: Database.Statement<[number, string]>;
    probeInsert: Database.Statement<[]>;
    probeDelete: Database.Statement<[]>;
    setEpoch: Database.Statement<[string, string]>;
    getEpoch: Database.Statement<[string]>;
    adoptEpoch: Database.Statement<[string, string, string]>;
    bumpCommits: Database.Statement<[]>;
  };
  private readonly epochOf: (channel: string) => string | undefined;
  private readonly appendBatch: (batch: readonly Pending[], gate: ChannelGate) => { out: (FileEvent | ChannelLimitError)[]; commits: number };
  /** What the open found (see GenerationCheck). */
  readonly generation: GenerationCheck;
  private readonly generationFile: GenerationFile | undefined;
  private readonly limits: ChannelLimits;
  private readonly newChannels: NewChannelCounter;
  private readonly pruneSlice: number;
  private readonly sliceStmt: {
    channelsAfter: Database.Statement<[string, number]>;
    forget: Database.Statement<[string]>;
    forgetEpoch: Database.Statement<[string, string]>;
    count: Database.Statement<[]>;
    firstKeptIn: Database.Statement<[string, number, number, number]>;
  };
  /** Channels in the log (counted once at open, then kept up to date: this process is the only writer). */
  private channelCount = 0;
  private readonly readPage: (channel: string, since: number, limit: number) => ReplayResult;
  private readonly pruneBatch: (plan: readonly PrunePlan[], from: number) => { removed: number; next: number; forgotten: number };
  private readonly probe: () => void;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private pruning: Promise<number> | undefined;
  private closed = false;
  /** Set by a failed write; cleared by the next successful write or health probe. */
  private fault: unknown;
  private lastProbe = 0;

  constructor(options: SqliteEventStoreOptions) {
    this.path = resolve(options.path);
    this.retention = checkRetention(options.retention ?? NO_RETENTION);
    this.synchronous = options.synchronous ?? 'FULL';
    if (!['NORMAL', 'FULL', 'EXTRA'].includes(this.synchronous)) throw new RangeError(`synchronous must be NORMAL, FULL or EXTRA, got ${String(this.synchronous)}`);
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
    this.maxBatch = options.maxBatch ?? 1000;
    this.pruneChunk = options.pruneChunk ?? 1000;
    this.pruneSlice = options.pruneSlice ?? 200;
    this.limits = checkChannelLimits(options.channelLimits);
    this.newChannels = new NewChannelCounter(this.limits.newPerUserPerHour);
    this.probeEvery = options.healthProbeIntervalMs ?? 1000;
    this.db = openDatabase(this.path, this.synchronous, options.busyTimeoutMs ?? 500);
    const db = this.db;
    try {
      this.stmt = {
        nextSeq: db.prepare(
          'INSERT INTO channels (channel, head, floor) VALUES (?, 1, 0) ON CONFLICT (channel) DO UPDATE SET head = head + 1 RETURNING head',
        ),
        insert: db.prepare(
          'INSERT INTO events (channel, seq, stored_ms, kind, path, size, mime, sha256, sub, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ),
        channel: db.prepare('SELECT head, floor FROM channels WHERE channel = ?'),
        page: db.prepare(
          'SELECT channel, seq, kind, path, size, mime, sha256, sub, at FROM events WHERE channel = ? AND seq > ? ORDER BY seq LIMIT ?',
        ),
        channels: db.prepare('SELECT channel, head, floor FROM channels'),
        firstKept: db.prepare('SELECT seq FROM events WHERE channel = ? AND seq > ? AND stored_ms >= ? ORDER BY seq LIMIT 1'),
        deleteUpTo: db.prepare('DELETE FROM events WHERE channel = ? AND seq <= ?'),
        setFloor: db.prepare('UPDATE channels SET floor = ? WHERE channel = ?'),
        probeInsert: db.prepare(`INSERT INTO health_probe (id, pad) VALUES (1, zeroblob(${db.pragma('page_size', { simple: true }) as number}))`),
        probeDelete: db.prepare('DELETE FROM health_probe'),
        // Epochs (see EventStore.epoch): a channel whose log (re)starts at seq 1 gets a new one.
        setEpoch: db.prepare('INSERT OR REPLACE INTO epochs (channel, epoch) VALUES (?, ?)'),
        getEpoch: db.prepare('SELECT epoch FROM epochs WHERE channel = ?'),
        // A log written before epochs existed gets one on first ask (only when the channel has a log).
        adoptEpoch: db.prepare('INSERT OR IGNORE INTO epochs (channel, epoch) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM channels WHERE channel = ?)'),
        // Counted in every append transaction and mirrored in the generation file: an older copy has fewer.
        bumpCommits: db.prepare("UPDATE meta SET value = value + 1 WHERE key = 'commits' RETURNING value"),
      };
      this.sliceStmt = {
        channelsAfter: db.prepare('SELECT channel, head, floor FROM channels WHERE channel > ? ORDER BY channel LIMIT ?'),
        // Only a channel with no events (head = floor): an append in between makes it a no-op.
        forget: db.prepare('DELETE FROM channels WHERE channel = ? AND head = floor'),
        // A forgotten channel's epoch goes with it (its next log gets a new one at seq 1).
        forgetEpoch: db.prepare('DELETE FROM epochs WHERE channel = ? AND NOT EXISTS (SELECT 1 FROM channels WHERE channel = ?)'),
        count: db.prepare('SELECT count(*) AS n FROM channels'),
        // Bounded: looks at most (floor, upTo] of one channel, never its whole history.
        firstKeptIn: db.prepare('SELECT seq FROM events WHERE channel = ? AND seq > ? AND seq <= ? AND stored_ms >= ? ORDER BY seq LIMIT 1'),
      };
      this.channelCount = (this.sliceStmt.count.get() as { n: number }).n;
      const file = options.generationFile === undefined ? join(dirname(this.path), `.${basename(this.path)}.generation`) : options.generationFile === false ? undefined : resolve(options.generationFile);
      const opened = file === undefined ? { check: { outcome: 'off' as const, rotated: 0, file }, handle: undefined } : openGeneration(db, file, this.onError);
      this.generation = opened.check;
      this.generationFile = opened.handle;
    } catch (err) {
      db.close();
      throw new EventStoreOpenError(this.path, errorText(err), err);
    }
    const s = this.stmt;

    this.appendBatch = db.transaction((batch: readonly Pending[], gate: ChannelGate) => {
      const storedMs = this.now();
      const out = batch.map(({ event: e }) => {
        const refused = gate.admit(e.channel, e.by, storedMs);
        if (refused) return refused;
        const { head } = s.nextSeq.get(e.channel) as { head: number };
        if (head === 1) {
          gate.created++; // the row was just made: a new channel (counted whether or not caps are on)
          s.setEpoch.run(e.channel, newEpoch()); // a new log, a new epoch
        }
        s.insert.run(e.channel, head, storedMs, e.kind, e.path, e.size ?? null, e.mime ?? null, e.sha256 ?? null, e.by, e.at);
        return copyEvent({ ...e, seq: head });
      });
      const { value } = s.bumpCommits.get() as { value: number };
      return { out, commits: value };
    }).immediate;

    this.readPage = db.transaction((channel: string, since: number, limit: number): ReplayResult => {
      const ch = s.channel.get(channel) as { head: number; floor: number } | undefined;
      if (!ch) return { gone: false, events: [], head: 0 };
      if (since < ch.floor) return { gone: true, head: ch.head };
      const rows = s.page.all(channel, since, limit) as EventRow[];
      return { gone: false, events: rows.map(rowToEvent), head: ch.head };
    }).deferred;

    // One retention transaction over consecutive channels of a plan: deletes up to each one's
    // cutoff, at most pruneChunk rows in all, and forgets those left with no events. `next` is
    // the first channel not finished (the budget ran out in it, or the plan ended).
    this.pruneBatch = db.transaction((plan: readonly PrunePlan[], from: number) => {
      let budget = this.pruneChunk;
      let removed = 0;
      let forgotten = 0;
      let j = from;
      for (; j < plan.length && budget > 0; j++) {
        const p = plan[j]!;
        const ch = s.channel.get(p.channel) as { head: number; floor: number } | undefined;
        if (!ch) continue;
        const target = Math.min(p.cutoff, ch.head);
        let floor = ch.floor;
        if (target > floor) {
          const upTo = Math.min(target, floor + budget);
          removed += s.deleteUpTo.run(p.channel, upTo).changes;
          s.setFloor.run(upTo, p.channel);
          budget -= upTo - floor;
          floor = upTo;
          if (upTo < target) break; // budget spent inside this channel: it goes on in the next transaction
        }
        if (floor >= ch.head) {
          const gone = this.sliceStmt.forget.run(p.channel).changes;
          if (gone) this.sliceStmt.forgetEpoch.run(p.channel, p.channel);
          forgotten += gone;
        }
      }
      return { removed, next: j, forgotten };
    }).immediate;

    this.epochOf = db.transaction((channel: string): string | undefined => {
      const row = s.getEpoch.get(channel) as { epoch: string } | undefined;
      if (row) return row.epoch;
      if (s.adoptEpoch.run(channel, newEpoch(), channel).changes === 0) return undefined;
      return (s.getEpoch.get(channel) as { epoch: string }).epoch;
    }).immediate;

    this.probe = db.transaction(() => {
      s.probeInsert.run();
      s.probeDelete.run();
    }).immediate;

    try {
      options.onOpen?.(db);
    } catch (err) {
      this.generationFile?.close();
      db.close();
      throw err;
    }
    const every = options.pruneIntervalMs ?? 0;
    if (every > 0) {
      this.timer = setInterval(() => void this.prune().catch((err: unknown) => this.onError(err)), every);
      this.timer.unref();
    }
  }

  append(event: NewEvent): Promise<FileEvent> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async replay(channel: string, since: number, limit: number): Promise<ReplayResult> {
    checkReplayArgs(since, limit);
    return this.read(() => this.readPage(channel, since, limit));
  }

  /** Channels the log holds (for the metrics). */
  async channelTotal(): Promise<number> {
    return this.channelCount;
  }

  async head(channel: string): Promise<number> {
    return this.read(() => (this.stmt.channel.get(channel) as { head: number } | undefined)?.head ?? 0);
  }

  async epoch(channel: string): Promise<string | undefined> {
    return this.write(() => this.epochOf(channel));
  }

  prune(): Promise<number> {
    if (this.closed) return Promise.reject(closedError());
    // One prune at a time: a second caller shares the running one.
    this.pruning ??= this.pruneAll().finally(() => (this.pruning = undefined));
    return this.pruning;
  }

  async healthy(): Promise<boolean> {
    if (this.closed) return false;
    if (this.fault === undefined) return true;
    // Faulted: try a real write (it allocates a page and commits), at most once per probeEvery.
    const t = Date.now();
    if (t - this.lastProbe < this.probeEvery) return false;
    this.lastProbe = t;
    try {
      this.probe();
      this.fault = undefined;
      return true;
    } catch (err) {
      this.fault = err;
      this.onError(err);
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.flush(); // commit (or fail) what was already accepted into the queue
    await this.pruning?.catch(() => {});
    this.generationFile?.close();
    this.db.close();
  }

  /** Commits queued appends in batches of at most maxBatch, each batch one transaction. */
  private flush(): void {
    this.flushScheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let events: (FileEvent | ChannelLimitError)[];
      try {
        events = this.commitBatch(batch);
      } catch (err) {
        this.failBatch(batch, err);
        continue;
      }
      this.fault = undefined;
      batch.forEach((p, i) => settleOne(p, events[i]!));
    }
  }

  private failBatch(batch: readonly Pending[], err: unknown): void {
    if (isSqliteError(err)) {
      this.fault = err;
      this.onError(err);
      for (const p of batch) p.reject(unavailable(err));
      return;
    }
    // Not the disk: most likely one malformed event (a bug upstream). Retry one by one so the
    // others are not refused for it; the transaction above rolled back, so nothing is half-written.
    if (batch.length === 1) {
      batch[0]!.reject(err);
      return;
    }
    for (const p of batch) {
      try {
        const [e] = this.commitBatch([p]);
        this.fault = undefined;
        settleOne(p, e!);
      } catch (err1) {
        this.failBatch([p], err1);
      }
    }
  }

  /**
   * One append transaction, with the channel caps checked inside it; the in-memory counts follow
   * only what was committed.
   */
  private commitBatch(batch: readonly Pending[]): (FileEvent | ChannelLimitError)[] {
    const gate = new ChannelGate(this.limits, this.newChannels, this.channelCount, (ch) => this.stmt.channel.get(ch) !== undefined);
    try {
      const { out, commits } = this.appendBatch(batch, gate);
      this.channelCount += gate.created;
      this.generationFile?.write(commits); // after the commit: the file may lag the database, never lead it
      return out;
    } catch (err) {
      gate.rollback();
      throw err;
    }
  }

  /**
   * Retention in bounded slices: `pruneSlice` channels per read (keyset order, never the whole
   * table at once), each slice's deletes in transactions of at most `pruneChunk` rows, with a turn
   * of the event loop between transactions and after about PRUNE_TURN_MS of planning, so neither a
   * million channels nor a long backlog blocks the loop for long. A channel left with no events is
   * forgotten (its `channels` row deleted) in the same transaction.
   */
  private async pruneAll(): Promise<number> {
    const { maxEvents, maxAgeMs } = this.retention;
    if (maxEvents === 0 && maxAgeMs === 0) return 0;
    let removed = 0;
    let after = '';
    for (;;) {
      if (this.closed) return removed;
      let slice = this.read(() => this.sliceStmt.channelsAfter.all(after, this.pruneSlice) as ChannelRow[]);
      if (slice.length === 0) return removed;
      after = slice[slice.length - 1]!.channel;
      // A channel whose old events run past one bounded look is planned again (bounded rounds).
      for (let round = 0; slice.length > 0 && round < PRUNE_MAX_ROUNDS; round++) {
        const { plan, again } = await this.planSlice(slice);
        for (let i = 0; i < plan.length && !this.closed; ) {
          const step = this.write(() => this.withoutFsync(() => this.pruneBatch(plan, i)));
          removed += step.removed;
          this.channelCount -= step.forgotten;
          i = step.next;
          await nextTurn(); // appends and clients go between two transactions
        }
        if (this.closed) return removed;
        slice = this.read(() => this.rows(again));
      }
      await nextTurn(); // between slices, even when a slice had nothing to delete
    }
  }

  /**
   * Runs a retention transaction with `synchronous = NORMAL`: its commit does not wait for an
   * fsync, which would block the event loop (better-sqlite3 is synchronous). Safe: a prune lost in
   * a crash is only redone (the events and the floor come back together), and in WAL mode the next
   * FULL commit's fsync covers it anyway.
   */
  private withoutFsync<T>(fn: () => T): T {
    if (this.synchronous === 'NORMAL') return fn();
    this.db.pragma('synchronous = NORMAL');
    try {
      return fn();
    } finally {
      this.db.pragma(`synchronous = ${this.synchronous}`);
    }
  }

  /** Current head and floor of these channels (those still in the log). */
  private rows(channels: readonly string[]): ChannelRow[] {
    const out: ChannelRow[] = [];
    for (const channel of channels) {
      const r = this.stmt.channel.get(channel) as { head: number; floor: number } | undefined;
      if (r) out.push({ channel, head: r.head, floor: r.floor });
    }
    return out;
  }

  /** Each channel's cutoff (remove seq <= cutoff); `again`: channels with more old events past the bounded look. */
  private async planSlice(slice: readonly ChannelRow[]): Promise<{ plan: PrunePlan[]; again: string[] }> {
    const { maxEvents, maxAgeMs } = this.retention;
    const plan: PrunePlan[] = [];
    const again: string[] = [];
    const ageCutoff = this.now() - maxAgeMs;
    let t0 = performance.now();
    for (const { channel, head, floor } of slice) {
      let cutoff = maxEvents > 0 ? head - maxEvents : floor;
      if (maxAgeMs > 0) {
        // Age removes the oldest events while they are older than maxAgeMs: everything before the first kept one.
        const lookTo = Math.min(head, floor + this.pruneChunk);
        const first = this.read(() => this.sliceStmt.firstKeptIn.get(channel, floor, lookTo, ageCutoff) as { seq: number } | undefined);
        cutoff = Math.max(cutoff, first ? first.seq - 1 : lookTo);
        if (!first && lookTo < head) again.push(channel);
      }
      // Nothing to delete, but already empty: planned too, so that it is forgotten.
      if (cutoff > floor || floor >= head) plan.push({ channel, cutoff });
      if (performance.now() - t0 > PRUNE_TURN_MS) {
        await nextTurn();
        t0 = performance.now();
      }
    }
    return { plan, again };
  }

  private read<T>(fn: () => T): T {
    if (this.closed) throw closedError();
    try {
      return fn();
    } catch (err) {
      if (isSqliteError(err)) throw unavailable(err);
      throw err;
    }
  }

  private write<T>(fn: () => T): T {
    if (this.closed) throw closedError();
    try {
      const out = fn();
      this.fault = undefined;
      return out;
    } catch (err) {
      if (!isSqliteError(err)) throw err;
      this.fault = err;
      throw unavailable(err);
    }
  }
}

function openDatabase(path: string, synchronous: SqliteSynchronous, busyTimeoutMs: number): Database.Database {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw new EventStoreOpenError(path, `cannot create its directory (${errorText(err)})`, err);
  }
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
  } catch (err) {
    throw new EventStoreOpenError(path, errorText(err), err);
  }
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`WAL journal mode is not available here (got ${String(mode)})`);
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('journal_size_limit = 67108864'); // truncate the WAL back to 64 MiB after checkpoints
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new Error(`schema version ${version} is newer than this wsguard understands (${SCHEMA_VERSION})`);
    db.exec(SCHEMA);
    if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (err) {
    db.close();
    throw new EventStoreOpenError(path, errorText(err), err);
  }
}

// ---- Generation (a restored or replaced database is recognised at open) ----

const GENERATION_LINE = /^wsguard-event-log-generation v1 ([A-Za-z0-9_-]{22}) (\d{16})\n$/;

function generationLine(generation: string, commits: number): Buffer {
  // Fixed length: every update overwrites the whole record in place, with one write.
  return Buffer.from(`wsguard-event-log-generation v1 ${generation} ${String(commits).padStart(16, '0')}\n`);
}

/** The open generation file: rewritten in place after every append transaction. */
interface GenerationFile {
  write(commits: number): void;
  close(): void;
}

type Sidecar = { generation: string; commits: number } | 'missing' | 'unreadable';

function readSidecar(file: string): Sidecar {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  const m = GENERATION_LINE.exec(text);
  return m ? { generation: m[1]!, commits: Number(m[2]) } : 'unreadable';
}

/**
 * Compares the database with its generation file, rotates every channel's epoch when the database
 * is not the one this store last wrote, and opens the file for the per-commit updates.
 * The file is outside the database on purpose: a restored copy brings its own meta table back,
 * never this file's later count.
 */
function openGeneration(db: Database.Database, file: string, onError: (err: unknown) => void): { check: GenerationCheck; handle: GenerationFile } {
  const meta = (key: string) => (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string | number } | undefined)?.value;
  const dbGeneration = meta('generation') as string | undefined;
  const commits = Number(meta('commits') ?? 0);
  let side: Sidecar;
  try {
    side = readSidecar(file);
  } catch (err) {
    throw new Error(`cannot read the generation file ${file} (${errorText(err)})`, { cause: err });
  }
  let outcome: GenerationCheck['outcome'];
  if (side === 'missing') outcome = dbGeneration === undefined ? 'first' : 'unverifiable';
  else if (side === 'unreadable') outcome = 'unverifiable';
  else if (side.generation !== dbGeneration) outcome = 'replaced';
  else outcome = commits < side.commits ? 'restored' : 'same';
  const rotate = outcome === 'restored' || outcome === 'replaced' || outcome === 'unverifiable';
  let generation = dbGeneration;
  let rotated = 0;
  if (rotate || generation === undefined) {
    generation = randomBytes(16).toString('base64url');
    const g = generation;
    db.function('wsguard_new_epoch', { deterministic: false }, () => newEpoch());
    db.transaction(() => {
      // A new epoch for every log: clients that saw seqs of the lost timeline see the change.
      if (rotate) rotated = db.prepare('UPDATE epochs SET epoch = wsguard_new_epoch()').run().changes;
      db.prepare("INSERT INTO meta (key, value) VALUES ('generation', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(g);
    }).immediate();
  }
  let fd: number;
  try {
    // Written whole, then renamed: a crash leaves the old file or the new one, never half of one.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, generationLine(generation, commits), { mode: 0o600 });
    renameSync(tmp, file);
    fd = openSync(file, 'r+');
  } catch (err) {
    throw new Error(`cannot write the generation file ${file} (${errorText(err)})`, { cause: err });
  }
  const g = generation;
  let failing = false;
  let closed = false;
  const handle: GenerationFile = {
    write(n) {
      if (closed) return;
      try {
        const line = generationLine(g, n);
        writeSync(fd, line, 0, line.length, 0);
        failing = false;
      } catch (err) {
        // The file now lags the database: that only weakens the next check, never fakes a restore.
        if (!failing) onError(new Error(`cannot update the generation file ${file}: ${errorText(err)}`, { cause: err }));
        failing = true;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        fsyncSync(fd);
      } catch {
        // best effort: the per-commit writes are already in the page cache
      }
      closeSync(fd);
    },
  };
  return { check: { outcome, rotated, file }, handle };
}

/** Prune planning done in one turn of the event loop before it yields (ms). */
const PRUNE_TURN_MS = 5;
/** Re-plans of one slice (channels with a long run of old events) in one prune. */
const PRUNE_MAX_ROUNDS = 1000;

interface ChannelRow {
  channel: string;
  head: number;
  floor: number;
}

/** Remove every event of `channel` with seq <= cutoff. */
interface PrunePlan {
  readonly channel: string;
  readonly cutoff: number;
}
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

function settleOne(p: Pending, e: FileEvent | ChannelLimitError): void {
  if (e instanceof ChannelLimitError) p.reject(e);
  else p.resolve(e);
}

/** The channel caps for one append transaction (see ChannelLimits). */
class ChannelGate {
  private readonly fresh = new Set<string>();
  private readonly takenBy: string[] = [];
  constructor(
    private readonly limits: ChannelLimits,
    private readonly perUser: NewChannelCounter,
    private readonly count: number,
    private readonly exists: (channel: string) => boolean,
  ) {}

  /** New channels this transaction made (for the channel count). */
  created = 0;

  /** undefined when the event may be appended; the refusal otherwise. */
  admit(channel: string, by: string, nowMs: number): ChannelLimitError | undefined {
    if (this.limits.maxChannels === 0 && this.limits.newPerUserPerHour === 0) return undefined;
    if (this.fresh.has(channel) || this.exists(channel)) return undefined;
    if (this.limits.maxChannels > 0 && this.count + this.fresh.size >= this.limits.maxChannels) return new ChannelLimitError('total');
    if (!this.perUser.take(by, nowMs)) return new ChannelLimitError('user');
    this.takenBy.push(by);
    this.fresh.add(channel);
    return undefined;
  }

  /** The transaction rolled back: the per-identity counts it took go back. */
  rollback(): void {
    for (const by of this.takenBy) this.perUser.giveBack(by);
    this.fresh.clear();
  }
}

function rowToEvent(r: EventRow): FileEvent {
  const e: FileEvent = { channel: r.channel, seq: r.seq, kind: r.kind, path: r.path, by: r.sub, at: r.at };
  if (r.size !== null) e.size = r.size;
  if (r.mime !== null) e.mime = r.mime;
  if (r.sha256 !== null) e.sha256 = r.sha256;
  return e;
}

function errorText(err: unknown): string {
  if (isSqliteError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function closedError(): WsguardError {
  return new WsguardError('unavailable', 'event store is closed');
}
