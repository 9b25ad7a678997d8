/**
 * Cluster-wide auth state on Redis: single-use tickets, revocations with fan-out to every node,
 * and per-key connection caps counted across nodes.
 *
 * Keys (all under the configured prefix):
 *   ticket:<sha256(ticket)>  tickets:sub:<sha256(sub)> / tickets:all (outstanding, zset)  rev:sub:<sub>  rev:jti:<jti>  conn:<key> (hash nodeId → count)
 *   nodes (sorted set nodeId → heartbeat expiry, ms)      pub/sub: revocations
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { unavailable } from '../protocol/failures.js';
import { defineScript, type ScriptFn } from '../redis/commands.js';
import type { ConnectionCounter, Identity, PutResult, RevocationStore, RevocationTarget, TicketLimits, TicketRecord, TicketStore } from './types.js';

async function guarded<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw unavailable(err);
  }
}

export interface RedisAuthOptions {
  /** Command connection (no offline queue: see src/cluster/redis-backend.ts). */
  readonly redis: Redis;
  readonly prefix: string;
}

// ---------------------------------------------------------------- tickets

// KEYS: ticket key, the subject's outstanding set, the outstanding set of all tickets (sorted sets:
// member = ticket hash, score = expiry ms). ARGV: record, ttlMs, perSubject cap, total cap, member.
// Expired members are dropped first, so the caps count live tickets only; nothing is stored past a cap.
const TICKET_PUT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[4]) then return 2 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 1 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[5])
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
redis.call('ZADD', KEYS[3], now + ttl, ARGV[5])
return 0
`;

/** No cap given: still counted (the sets stay bounded by the ticket TTL), never refused. */
const UNCAPPED = Number.MAX_SAFE_INTEGER;

export class RedisTicketStore implements TicketStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #put: ScriptFn;

  constructor(opts: RedisAuthOptions) {
    this.#redis = opts.redis;
    this.#prefix = opts.prefix;
    this.#put = defineScript(opts.redis, 'wsguardTicketPut', TICKET_PUT_LUA, 3);
  }

  /** Hashed so a ticket never appears in Redis key listings, MONITOR or the slow log. */
  #hash(ticket: string): string {
    return createHash('sha256').update(ticket).digest('hex');
  }

  #subKey(sub: string): string {
    return `${this.#prefix}tickets:sub:${createHash('sha256').update(sub).digest('hex')}`;
  }

  get #allKey(): string {
    return `${this.#prefix}tickets:all`;
  }

  async put(ticket: string, record: TicketRecord, ttlMs: number, limits?: TicketLimits): Promise<PutResult> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const hash = this.#hash(ticket);
    const keys = [`${this.#prefix}ticket:${hash}`, this.#subKey(record.identity.sub), this.#allKey];
    const r = await guarded(() => this.#put(...keys, JSON.stringify(record), ttl, limits?.perSubject ?? UNCAPPED, limits?.total ?? UNCAPPED, hash));
    return r === 0 ? 'ok' : r === 1 ? 'subject_cap' : 'total_cap';
  }

  /** GETDEL: one atomic read-and-delete, so only one node in the cluster gets the record. */
  async take(ticket: string): Promise<TicketRecord | undefined> {
    const hash = this.#hash(ticket);
    const json = await guarded(() => this.#redis.getdel(`${this.#prefix}ticket:${hash}`));
    if (json === null) return undefined;
    const record = JSON.parse(json) as TicketRecord;
    // No longer outstanding (if this fails, the entry expires from the counts on its own).
    await this.#redis.multi().zrem(this.#subKey(record.identity.sub), hash).zrem(this.#allKey, hash).exec().catch(() => undefined);
    return record;
  }

  async outstanding(): Promise<number> {
    const key = this.#allKey;
    return guarded(async () => {
      await this.#redis.zremrangebyscore(key, '-inf', Date.now());
      return this.#redis.zcard(key);
    });
  }

  async close(): Promise<void> {}
}

// ---------------------------------------------------------------- revocations

// KEYS: revocation key. ARGV: value, untilMs, pub/sub channel, message.
// Keeps the later expiry and the higher revokedAt when a target is revoked again, then tells every node.
const REVOKE_LUA = `
local untilMs = tonumber(ARGV[2])
local current = redis.call('PEXPIRETIME', KEYS[1])
if current > untilMs then untilMs = current end
local value = ARGV[1]
local old = redis.call('GET', KEYS[1])
if old and tonumber(old) and tonumber(old) > tonumber(value) then value = old end
local now = redis.call('TIME')
if untilMs > tonumber(now[1]) * 1000 then
  redis.call('SET', KEYS[1], value, 'PXAT', string.format('%d', untilMs))
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

function parseTarget(message: string): RevocationTarget | undefined {
  try {
    const v: unknown = JSON.parse(message);
    if (typeof v !== 'object' || v === null) return undefined;
    const t = v as Record<string, unknown>;
    if (typeof t.sub === 'string') return { sub: t.sub };
    if (typeof t.jti === 'string') return { jti: t.jti };
  } catch {
    // fall through
  }
  return undefined;
}

export interface RedisRevocationOptions extends RedisAuthOptions {
  /** Pub/sub connection (may be shared with the broker). */
  readonly subscriber: Redis;
  readonly onError?: (err: unknown) => void;
}

export class RedisRevocationStore implements RevocationStore {
  readonly #redis: Redis;
  readonly #sub: Redis;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #revoke: ScriptFn;
  readonly #listeners: ((target: RevocationTarget) => void)[] = [];
  readonly #onError: (err: unknown) => void;

  constructor(opts: RedisRevocationOptions) {
    this.#redis = opts.redis;
    this.#sub = opts.subscriber;
    this.#prefix = opts.prefix;
    this.#channel = `${opts.prefix}revocations`;
    this.#onError = opts.onError ?? (() => {});
    this.#revoke = defineScript(opts.redis, 'wsguardRevoke', REVOKE_LUA, 1);
    this.#sub.on('message', this.#onMessage);
    this.#sub.subscribe(this.#channel).catch(this.#onError);
  }

  /** Resolves once this node receives revocations (tests; start-up). */
  async ready(): Promise<void> {
    await guarded(() => this.#sub.subscribe(this.#channel));
  }

  readonly #onMessage = (channel: string, message: string): void => {
    if (channel !== this.#channel) return;
    const target = parseTarget(message);
    if (!target) return this.#onError(new Error('malformed revocation message'));
    for (const l of this.#listeners) {
      try {
        l(target);
      } catch (err) {
        this.#onError(err);
      }
    }
  };

  #key(target: RevocationTarget): string {
    return 'sub' in target ? `${this.#prefix}rev:sub:${target.sub}` : `${this.#prefix}rev:jti:${target.jti}`;
  }

  async revoke(target: RevocationTarget, untilSec: number): Promise<void> {
    // Same clock as the memory store: tokens for that sub issued at or before now are refused.
    const value = 'sub' in target ? String(Math.floor(Date.now() / 1000)) : '1';
    const message = JSON.stringify('sub' in target ? { sub: target.sub } : { jti: target.jti });
    await guarded(() => this.#revoke(this.#key(target), value, Math.floor(untilSec * 1000), this.#channel, message));
  }

  async isRevoked(identity: Pick<Identity, 'sub' | 'jti'>, issuedAtSec?: number): Promise<boolean> {
    const jtiKey = identity.jti !== undefined ? this.#key({ jti: identity.jti }) : undefined;
    const [revokedAt, jti] = await guarded(() =>
      Promise.all([this.#redis.get(this.#key({ sub: identity.sub })), jtiKey ? this.#redis.exists(jtiKey) : 0]),
    );
    if (jti > 0) return true;
    if (revokedAt === null) return false;
    // A token without iat cannot prove it was issued after the revocation.
    return issuedAtSec === undefined || issuedAtSec <= Number(revokedAt);
  }

  onRevoke(listener: (target: RevocationTarget) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    this.#listeners.length = 0;
    this.#sub.off('message', this.#onMessage);
    if (this.#sub.status === 'ready') await this.#sub.unsubscribe(this.#channel).catch(() => {});
  }
}

// ---------------------------------------------------------------- connection counter

// KEYS: conn hash, nodes zset. ARGV: nodeId, limit, ttlMs.
// Counts only fields of live nodes (heartbeat not expired) and deletes the others: a node that
// died without releasing its slots loses them ttlMs after its last heartbeat.
const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[2], string.format('%d', now + tonumber(ARGV[3])), ARGV[1])
local fields = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #fields, 2 do
  local node = fields[i]
  local alive = node == ARGV[1]
  if not alive then
    local expiry = redis.call('ZSCORE', KEYS[2], node)
    alive = expiry and tonumber(expiry) > now
  end
  if alive then total = total + tonumber(fields[i + 1]) else redis.call('HDEL', KEYS[1], node) end
end
if total >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
return 1
`;

// KEYS: conn hash. ARGV: nodeId.
const RELEASE_LUA = `
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1
`;

// KEYS: nodes zset. ARGV: nodeId, ttlMs. Returns 1 when this node had expired (others may have
// reaped its slots): the caller then writes its counts back.
const HEARTBEAT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prev = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], string.format('%d', now + tonumber(ARGV[2])), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if prev and tonumber(prev) > now then return 0 end
return 1
`;

export interface RedisConnectionCounterOptions extends RedisAuthOptions {
  /** A node whose heartbeat is older than this loses its slots (default 15 s). */
  readonly ttlMs?: number;
  /** Heartbeat period (default ttlMs / 3). */
  readonly heartbeatMs?: number;
  readonly onError?: (err: unknown) => void;
}

export class RedisConnectionCounter implements ConnectionCounter {
  readonly nodeId = randomUUID();
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #acquire: ScriptFn;
  readonly #release: ScriptFn;
  readonly #heartbeat: ScriptFn;
  readonly #onError: (err: unknown) => void;
  /** Slots this node holds, the truth that Redis is brought back to after a failure. */
  readonly #local = new Map<string, number>();
  /** Keys whose Redis count may differ from #local (a command failed mid-way). */
  readonly #dirty = new Set<string>();
  readonly #inFlight = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;

  constructor(opts: RedisConnectionCounterOptions) {
    this.#redis = opts.redis;
    this.#prefix = opts.prefix;
    this.#ttlMs = opts.ttlMs ?? 15_000;
    this.#onError = opts.onError ?? (() => {});
    this.#acquire = defineScript(opts.redis, 'wsguardConnAcquire', ACQUIRE_LUA, 2);
    this.#release = defineScript(opts.redis, 'wsguardConnRelease', RELEASE_LUA, 1);
    this.#heartbeat = defineScript(opts.redis, 'wsguardConnHeartbeat', HEARTBEAT_LUA, 1);
    this.#timer = setInterval(() => void this.#beat(), opts.heartbeatMs ?? Math.floor(this.#ttlMs / 3)).unref();
  }

  #hash(key: string): string {
    return `${this.#prefix}conn:${key}`;
  }

  get #nodes(): string {
    return `${this.#prefix}nodes`;
  }

  async acquire(key: string, limit: number): Promise<boolean> {
    if (limit <= 0) return false;
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
    try {
      const ok = (await this.#acquire(this.#hash(key), this.#nodes, this.nodeId, limit, this.#ttlMs)) === 1;
      if (ok) this.#local.set(key, (this.#local.get(key) ?? 0) + 1);
      return ok;
    } catch (err) {
      this.#dirty.add(key); // it may have been counted before the connection dropped
      throw unavailable(err);
    } finally {
      this.#settle(key);
    }
  }

  async release(key: string): Promise<void> {
    const held = this.#local.get(key) ?? 0;
    if (held === 0) return;
    if (held === 1) this.#local.delete(key);
    else this.#local.set(key, held - 1);
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
    try {
      await this.#release(this.#hash(key), this.nodeId);
    } catch (err) {
      // Not thrown: the connection is gone either way; the heartbeat corrects Redis later.
      this.#dirty.add(key);
      this.#onError(err);
    } finally {
      this.#settle(key);
    }
  }

  #settle(key: string): void {
    const n = (this.#inFlight.get(key) ?? 1) - 1;
    if (n === 0) this.#inFlight.delete(key);
    else this.#inFlight.set(key, n);
  }

  async #beat(): Promise<void> {
    try {
      const expired = (await this.#heartbeat(this.#nodes, this.nodeId, this.#ttlMs)) === 1;
      const keys = expired ? new Set([...this.#local.keys(), ...this.#dirty]) : new Set(this.#dirty);
      for (const key of keys) {
        if (this.#inFlight.has(key)) {
          this.#dirty.add(key); // a command is racing with us: write the count back next beat
          continue;
        }
        const n = this.#local.get(key) ?? 0;
        if (n > 0) await this.#redis.hset(this.#hash(key), this.nodeId, n);
        else await this.#redis.hdel(this.#hash(key), this.nodeId);
        this.#dirty.delete(key);
      }
    } catch (err) {
      this.#onError(err);
    }
  }

  /** Gives back every slot this node holds, so a graceful shutdown frees them at once. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    const keys = new Set([...this.#local.keys(), ...this.#dirty]);
    this.#local.clear();
    this.#dirty.clear();
    try {
      const pipe = this.#redis.pipeline();
      for (const key of keys) pipe.hdel(this.#hash(key), this.nodeId);
      pipe.zrem(this.#nodes, this.nodeId);
      await pipe.exec();
    } catch (err) {
      this.#onError(err); // unreachable Redis: the heartbeat TTL frees them instead
    }
  }
}
