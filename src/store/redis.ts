/**
 * Event log on Redis, for cluster mode: every node appends through one Lua script, so Redis
 * itself serializes seq allocation, history append and pub/sub fan-out per channel.
 *
 * History is a Stream per channel with explicit ids `<seq>-0`:
 * - XRANGE by id is replay by seq (O(log N + M)), and XTRIM MINID is retention by seq;
 * - Redis refuses an XADD id that is not above the last one, so even a bug cannot write a
 *   duplicate or out-of-order seq (a sorted set would silently accept it).
 * Each entry also carries `t`, Redis server time in ms, so age retention uses one clock for
 * every node. `floor` is the highest seq removed by retention: `since < floor` means gone.
 *
 * Keys (per channel; the `{<channel>}` hash tag keeps one channel's keys together, but the append
 * script also touches `<prefix>channels` and `newch:`, so Redis Cluster is not supported: docs/cluster.md):
 *   <prefix>ch:{<channel>}:seq  <prefix>ch:{<channel>}:log  <prefix>ch:{<channel>}:floor  <prefix>ch:{<channel>}:epoch
 *   <prefix>channels (set of channels, for prune and the channel cap)     pub/sub: <prefix>ev:<channel>
 *   <prefix>newch:<sub> (new channels of one identity in the current window; expires with it)
 */
import type { Redis } from 'ioredis';
import { WsguardError, type FileEvent } from '../protocol/index.js';
import { unavailable } from '../protocol/failures.js';
import { defineScript, type ScriptFn } from '../redis/commands.js';
import {
  ChannelLimitError,
  CHANNEL_WINDOW_MS,
  checkChannelLimits,
  type ChannelLimits,
  checkReplayArgs,
  checkRetention,
  newEpoch,
  NO_RETENTION,
  type EventStore,
  type EventStoreOptions,
  type NewEvent,
  type ReplayResult,
  type RetentionPolicy,
} from './types.js';

// KEYS: seq, log, floor, channels, new-channel counter of the identity, epoch. ARGV: event JSON without seq,
// pub/sub channel, maxEvents, channel, now in ms ('' = Redis TIME), maxChannels, newPerUserPerHour
// (0 = unlimited), a fresh epoch (used when this append starts the log). Returns the seq, or -1 / -2
// when creating the channel would pass the total / per-identity cap (nothing written). The shebang
// makes Redis refuse the whole script up front (e.g. over maxmemory) rather than fail half-way with
// the seq already taken.
const APPEND_LUA = `#!lua
local maxChannels = tonumber(ARGV[6])
local perUser = tonumber(ARGV[7])
if (maxChannels > 0 or perUser > 0) and redis.call('SISMEMBER', KEYS[4], ARGV[4]) == 0 then
  if maxChannels > 0 and redis.call('SCARD', KEYS[4]) >= maxChannels then return -1 end
  if perUser > 0 then
    local n = redis.call('INCR', KEYS[5])
    if n == 1 then redis.call('PEXPIRE', KEYS[5], ${CHANNEL_WINDOW_MS}) end
    if n > perUser then return -2 end
  end
end
local seq = redis.call('INCR', KEYS[1])
local id = string.format('%d', seq)
local epoch = redis.call('GET', KEYS[6])
if seq == 1 or not epoch then
  epoch = ARGV[8]
  redis.call('SET', KEYS[6], epoch)
end
local ms = ARGV[5]
if ms == '' then
  local now = redis.call('TIME')
  ms = string.format('%d', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000))
end
local json = '{"seq":' .. id .. ',' .. string.sub(ARGV[1], 2)
redis.call('XADD', KEYS[2], id .. '-0', 'e', json, 't', ms)
local maxEvents = tonumber(ARGV[3])
if maxEvents > 0 and seq > maxEvents then
  local floor = seq - maxEvents
  redis.call('XTRIM', KEYS[2], 'MINID', string.format('%d', floor + 1) .. '-0')
  if floor > tonumber(redis.call('GET', KEYS[3]) or '0') then
    redis.call('SET', KEYS[3], string.format('%d', floor))
  end
end
redis.call('SADD', KEYS[4], ARGV[4])
redis.call('PUBLISH', ARGV[2], '{"epoch":"' .. epoch .. '",' .. string.sub(json, 2))
return seq
`;

// KEYS: seq, log, floor. ARGV: since, limit. Returns {gone, head, json...}.
const REPLAY_LUA = `#!lua flags=no-writes
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(redis.call('GET', KEYS[3]) or '0')
local since = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
if since < floor then return {1, head} end
local out = {0, head}
if limit > 0 and since < head then
  local rows = redis.call('XRANGE', KEYS[2], string.format('%d', since + 1) .. '-0', '+', 'COUNT', limit)
  for _, row in ipairs(rows) do
    local fields = row[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'e' then out[#out + 1] = fields[i + 1] end
    end
  end
end
return out
`;

// KEYS: seq, log, floor, channels, epoch. ARGV: maxEvents, maxAgeMs, scan batch size, now in ms ('' = Redis TIME), channel.
// Removes by count, then by age (entries are in append order, so `t` only grows), and raises the
// floor to the highest removed seq. Returns {removed, more}: `more` = 1 when a full batch was old.
// A channel left with no events is forgotten: its keys deleted and its entry removed from the set.
const PRUNE_LUA = `#!lua
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
local maxEvents = tonumber(ARGV[1])
local maxAge = tonumber(ARGV[2])
local batch = tonumber(ARGV[3])
local minSeq = 0
if maxEvents > 0 and head > maxEvents then minSeq = head - maxEvents + 1 end
local more = 0
if maxAge > 0 then
  local nowMs = tonumber(ARGV[4])
  if nowMs == nil then
    local now = redis.call('TIME')
    nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  end
  local cutoff = nowMs - maxAge
  local rows = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', batch)
  local keepFrom = nil
  for _, row in ipairs(rows) do
    local fields = row[2]
    local t = 0
    for i = 1, #fields, 2 do
      if fields[i] == 't' then t = tonumber(fields[i + 1]) end
    end
    if t >= cutoff then
      keepFrom = tonumber(string.match(row[1], '^(%d+)'))
      break
    end
  end
  if keepFrom == nil then
    if #rows == batch then
      keepFrom = tonumber(string.match(rows[#rows][1], '^(%d+)')) + 1
      more = 1
    else
      keepFrom = head + 1
    end
  end
  if keepFrom > minSeq then minSeq = keepFrom end
end
local removed = 0
if minSeq > 1 then
  removed = redis.call('XTRIM', KEYS[2], 'MINID', string.format('%d', minSeq) .. '-0')
  if minSeq - 1 > tonumber(redis.call('GET', KEYS[3]) or '0') then
    redis.call('SET', KEYS[3], string.format('%d', minSeq - 1))
  end
end
if more == 0 and redis.call('XLEN', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[5])
  redis.call('SREM', KEYS[4], ARGV[5])
end
return {removed, more}
`;

export interface RedisEventStoreOptions extends EventStoreOptions {
  /**
   * Command connection, owned by the caller (close() does not quit it). It should have no offline
   * queue and a short command timeout: see commandConnection() in src/cluster/redis-backend.ts.
   */
  readonly redis: Redis;
  /** Prefix of every key and pub/sub channel, e.g. `wsguard:`. */
  readonly prefix: string;
  // `now` (EventStoreOptions): when unset, events are stamped with Redis server time, one clock for every node.
}

/** Pub/sub channel carrying a channel's committed events (the RedisBroker listens to it). */
export function eventChannel(prefix: string, channel: string): string {
  return `${prefix}ev:${channel}`;
}

const PRUNE_BATCH = 1000;
/** Upper bound of script calls per channel and prune(), so one prune never runs unbounded. */
const PRUNE_MAX_ROUNDS = 100;

export class RedisEventStore implements EventStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #retention: RetentionPolicy;
  readonly #append: ScriptFn;
  readonly #replay: ScriptFn;
  readonly #prune: ScriptFn;
  readonly #now: (() => number) | undefined;
  readonly #limits: ChannelLimits;
  readonly #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(opts: RedisEventStoreOptions) {
    this.#redis = opts.redis;
    this.#prefix = opts.prefix;
    this.#retention = checkRetention(opts.retention ?? NO_RETENTION);
    this.#now = opts.now;
    this.#limits = checkChannelLimits(opts.channelLimits);
    if ((opts.pruneIntervalMs ?? 0) > 0) {
      this.#timer = setInterval(() => void this.prune().catch((err: unknown) => opts.onError?.(err)), opts.pruneIntervalMs);
      this.#timer.unref();
    }
    this.#append = defineScript(opts.redis, 'wsguardAppend', APPEND_LUA, 6);
    this.#replay = defineScript(opts.redis, 'wsguardReplay', REPLAY_LUA, 3, true);
    this.#prune = defineScript(opts.redis, 'wsguardPrune', PRUNE_LUA, 5);
  }

  #keys(channel: string): [string, string, string] {
    const base = `${this.#prefix}ch:{${channel}}`;
    return [`${base}:seq`, `${base}:log`, `${base}:floor`];
  }

  #checkOpen(): void {
    if (this.#closed) throw new WsguardError('unavailable');
  }

  #nowArg(): string {
    return this.#now ? String(Math.floor(this.#now())) : '';
  }

  async append(event: NewEvent): Promise<FileEvent> {
    this.#checkOpen();
    // Drop any stray seq: the script writes it first in the JSON, and it alone allocates it.
    const { seq: _ignored, ...rest } = event as NewEvent & { seq?: unknown };
    const json = JSON.stringify(rest);
    let seq: unknown;
    try {
      seq = await this.#append(
        ...this.#keys(event.channel), `${this.#prefix}channels`, `${this.#prefix}newch:${event.by}`, this.#epochKey(event.channel),
        json, eventChannel(this.#prefix, event.channel), this.#retention.maxEvents, event.channel,
        this.#nowArg(), this.#limits.maxChannels, this.#limits.newPerUserPerHour, newEpoch(),
      );
    } catch (err) {
      throw unavailable(err);
    }
    if (seq === -1) throw new ChannelLimitError('total');
    if (seq === -2) throw new ChannelLimitError('user');
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) throw new WsguardError('internal');
    return { seq, ...rest };
  }

  async replay(channel: string, since: number, limit: number): Promise<ReplayResult> {
    checkReplayArgs(since, limit);
    this.#checkOpen();
    let reply: unknown;
    try {
      reply = await this.#replay(...this.#keys(channel), since, limit);
    } catch (err) {
      throw unavailable(err);
    }
    if (!Array.isArray(reply) || typeof reply[1] !== 'number') throw new WsguardError('internal');
    const head = reply[1];
    if (reply[0] === 1) return { gone: true, head };
    const events = reply.slice(2).map((json) => JSON.parse(String(json)) as FileEvent);
    return { gone: false, events, head };
  }

  async head(channel: string): Promise<number> {
    this.#checkOpen();
    try {
      return Number((await this.#redis.get(this.#keys(channel)[0])) ?? 0);
    } catch (err) {
      throw unavailable(err);
    }
  }

  #epochKey(channel: string): string {
    return `${this.#prefix}ch:{${channel}}:epoch`;
  }

  async epoch(channel: string): Promise<string | undefined> {
    this.#checkOpen();
    try {
      const found = await this.#redis.get(this.#epochKey(channel));
      if (found !== null) return found;
      // A log written before epochs existed gets one (set once: NX); no log, no epoch.
      if ((await this.#redis.exists(this.#keys(channel)[0])) === 0) return undefined;
      await this.#redis.set(this.#epochKey(channel), newEpoch(), 'NX');
      return (await this.#redis.get(this.#epochKey(channel))) ?? undefined;
    } catch (err) {
      throw unavailable(err);
    }
  }

  async prune(): Promise<number> {
    const { maxEvents, maxAgeMs } = this.#retention;
    this.#checkOpen();
    if (maxEvents <= 0 && maxAgeMs <= 0) return 0;
    let removed = 0;
    try {
      let cursor = '0';
      do {
        const [next, channels] = await this.#redis.sscan(`${this.#prefix}channels`, cursor, 'COUNT', 100);
        cursor = next;
        for (const channel of channels) removed += await this.#pruneChannel(channel, maxEvents, maxAgeMs);
      } while (cursor !== '0');
    } catch (err) {
      throw unavailable(err);
    }
    return removed;
  }

  async #pruneChannel(channel: string, maxEvents: number, maxAgeMs: number): Promise<number> {
    let removed = 0;
    for (let round = 0; round < PRUNE_MAX_ROUNDS; round++) {
      const reply = await this.#prune(...this.#keys(channel), `${this.#prefix}channels`, this.#epochKey(channel), maxEvents, maxAgeMs, PRUNE_BATCH, this.#nowArg(), channel);
      if (!Array.isArray(reply)) throw new WsguardError('internal');
      removed += Number(reply[0]);
      if (reply[1] !== 1) break;
    }
    return removed;
  }

  /** Channels the log holds (for the metrics). */
  async channelTotal(): Promise<number> {
    this.#checkOpen();
    try {
      return await this.#redis.scard(`${this.#prefix}channels`);
    } catch (err) {
      throw unavailable(err);
    }
  }

  async healthy(): Promise<boolean> {
    if (this.#closed || this.#redis.status !== 'ready') return false;
    try {
      return (await this.#redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Idempotent; the connection belongs to whoever created it (the cluster backend quits it). */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
  }
}
