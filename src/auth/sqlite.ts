/**
 * Single-node RevocationStore that survives a restart: a `revocations` table in the hub's SQLite
 * file (its own connection, WAL, synchronous FULL, so a revocation is on disk before it is answered).
 * Expired rows never match (`until_sec` is checked on read) and are deleted on a timer in bounded
 * slices; the table is capped at `maxEntries` rows: past it a new revocation is refused with
 * `unavailable` (never an old one evicted: that would silently un-revoke a token).
 *
 * Every handshake asks isRevoked, and a statement call was about 5% of a JWT handshake's CPU. The
 * store keeps the keys of the rows it holds in memory (loaded at open, added by revoke, removed by
 * prune): a token whose jti and sub are both absent is not revoked, answered without a statement;
 * otherwise the row decides, as before. Exact because this store is the table's only writer: the
 * hub owns the file and revocations reach it through its API (`wsguard revoke` included).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { WsguardError } from '../protocol/index.js';
import type { Identity, RevocationStore, RevocationTarget } from './types.js';

export interface SqliteRevocationStoreOptions {
  /** The SQLite file (the hub uses its event-log file, WSGUARD_DB). */
  readonly path: string;
  /** Most live revocations kept (default 100000); past it new ones are refused. */
  readonly maxEntries?: number;
  /** How often expired rows are deleted (default 60000 ms). */
  readonly pruneIntervalMs?: number;
  /** Rows one prune transaction deletes before yielding (default 1000). */
  readonly pruneSlice?: number;
  /** Slices one prune runs at most (default 100); the next prune goes on. */
  readonly pruneMaxSlices?: number;
  readonly busyTimeoutMs?: number;
  readonly onError?: (err: unknown) => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS revocations (
  kind       TEXT    NOT NULL,
  id         TEXT    NOT NULL,
  revoked_at INTEGER NOT NULL,
  until_sec  INTEGER NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS revocations_until ON revocations (until_sec);
`;

const nowSec = () => Math.floor(Date.now() / 1000);
/** One string per row key; kinds never contain ':' so `sub:a:b` cannot be read two ways. */
const keyOf = (kind: string, id: string) => `${kind}:${id}`;
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

function unavailable(err: unknown): WsguardError {
  return new WsguardError('unavailable', `revocation store unavailable: ${(err as Error)?.message ?? String(err)}`);
}

export class SqliteRevocationStore implements RevocationStore {
  readonly maxEntries: number;
  /** Revocations refused because the table was full (metrics). */
  refusedFull = 0;
  readonly #db: Database.Database;
  readonly #stmt: Record<'lookup' | 'upsert' | 'keys' | 'prune', Database.Statement>;
  /** `kind:id` of every row in the table, live or expired but not yet pruned (see the module comment). */
  readonly #keys = new Set<string>();
  readonly #listeners: ((target: RevocationTarget) => void)[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #slice: number;
  readonly #maxSlices: number;
  readonly #onError: (err: unknown) => void;
  #closed = false;
  #pruning: Promise<number> | undefined;

  constructor(opts: SqliteRevocationStoreOptions) {
    this.maxEntries = opts.maxEntries ?? 100_000;
    this.#slice = opts.pruneSlice ?? 1000;
    this.#maxSlices = opts.pruneMaxSlices ?? 100;
    this.#onError = opts.onError ?? (() => {});
    mkdirSync(dirname(opts.path), { recursive: true });
    const db = new Database(opts.path, { timeout: opts.busyTimeoutMs ?? 500 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
      this.#stmt = {
        // Both keys of a token in one statement (one primary-key search each): a statement call, not
        // the search, is most of a lookup's cost, and every handshake makes one. A NULL jti matches nothing.
        lookup: db.prepare(
          "SELECT (SELECT 1 FROM revocations WHERE kind = 'jti' AND id = ? AND until_sec > ?) AS jti, (SELECT revoked_at FROM revocations WHERE kind = 'sub' AND id = ? AND until_sec > ?) AS revokedAt",
        ),
        // Revoking again never shortens a revocation nor moves its time back (same rule as the other stores).
        upsert: db.prepare(
          'INSERT INTO revocations (kind, id, revoked_at, until_sec) VALUES (?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET revoked_at = max(revoked_at, excluded.revoked_at), until_sec = max(until_sec, excluded.until_sec)',
        ),
        keys: db.prepare('SELECT kind, id FROM revocations'),
        prune: db.prepare('DELETE FROM revocations WHERE (kind, id) IN (SELECT kind, id FROM revocations WHERE until_sec <= ? LIMIT ?) RETURNING kind, id'),
      };
      for (const row of this.#stmt.keys.iterate() as IterableIterator<{ kind: string; id: string }>) this.#keys.add(keyOf(row.kind, row.id));
    } catch (err) {
      db.close();
      throw err;
    }
    this.#db = db;
    this.#timer = setInterval(() => void this.prune().catch(this.#onError), opts.pruneIntervalMs ?? 60_000).unref();
  }

  /** Rows stored (live or expired but not yet pruned). */
  get size(): number {
    return this.#keys.size;
  }

  async revoke(target: RevocationTarget, untilSec: number): Promise<void> {
    const now = nowSec();
    const [kind, id] = 'sub' in target ? ['sub', target.sub] : ['jti', target.jti];
    this.#run(() => {
      if (this.#keys.size >= this.maxEntries && !this.#keys.has(keyOf(kind, id))) {
        this.#pruneSlices(now, Math.ceil(this.maxEntries / this.#slice) + 1);
        if (this.#keys.size >= this.maxEntries) {
          this.refusedFull++;
          throw new WsguardError('unavailable', `revocation store is full (${this.maxEntries} entries)`);
        }
      }
      this.#stmt.upsert.run(kind, id, now, Math.floor(untilSec));
      this.#keys.add(keyOf(kind, id));
    });
    for (const l of this.#listeners) {
      try {
        l(target);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  async isRevoked(identity: Pick<Identity, 'sub' | 'jti'>, issuedAtSec?: number): Promise<boolean> {
    const now = nowSec();
    return this.#run(() => {
      // Neither key has a row: nothing to look up (the common case, on every handshake).
      if (!this.#keys.has(keyOf('sub', identity.sub)) && (identity.jti === undefined || !this.#keys.has(keyOf('jti', identity.jti)))) return false;
      const row = this.#stmt.lookup.get(identity.jti ?? null, now, identity.sub, now) as { jti: number | null; revokedAt: number | null };
      if (row.jti !== null) return true;
      if (row.revokedAt === null) return false;
      // A token without iat cannot prove it was issued after the revocation.
      return issuedAtSec === undefined || issuedAtSec <= row.revokedAt;
    });
  }

  onRevoke(listener: (target: RevocationTarget) => void): void {
    this.#listeners.push(listener);
  }

  /** Deletes expired rows, `pruneSlice` per transaction, yielding between slices; returns how many. */
  prune(): Promise<number> {
    this.#pruning ??= (async () => {
      let removed = 0;
      try {
        for (let i = 0; i < this.#maxSlices && !this.#closed; i++) {
          const n = this.#run(() => this.#pruneSlices(nowSec(), 1));
          removed += n;
          if (n < this.#slice) break;
          await nextTurn();
        }
        return removed;
      } finally {
        this.#pruning = undefined;
      }
    })();
    return this.#pruning;
  }

  #pruneSlices(now: number, slices: number): number {
    let removed = 0;
    for (let i = 0; i < slices; i++) {
      const gone = this.#stmt.prune.all(now, this.#slice) as { kind: string; id: string }[];
      for (const row of gone) this.#keys.delete(keyOf(row.kind, row.id));
      const n = gone.length;
      removed += n;
      if (n < this.#slice) break;
    }
    return removed;
  }

  #run<T>(fn: () => T): T {
    if (this.#closed) throw new WsguardError('unavailable', 'revocation store is closed');
    try {
      return fn();
    } catch (err) {
      if (err instanceof WsguardError) throw err;
      throw unavailable(err);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#listeners.length = 0;
    await this.#pruning?.catch(() => undefined);
    this.#db.close();
  }
}
