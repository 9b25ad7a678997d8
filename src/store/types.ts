/**
 * The durable event log: one gap-free, increasing `seq` per channel.
 * Implementations: memory (tests), sqlite (embedded default), redis (cluster).
 * docs/storage.md describes the guarantees; test/store/contract.ts checks them for every implementation.
 */
import { randomBytes } from 'node:crypto';
import { WsguardError, type FileEvent } from '../protocol/index.js';

/** An event before the log gives it a seq. */
export type NewEvent = Omit<FileEvent, 'seq'>;

/**
 * Applied to every channel separately. Retention always removes the oldest events of a channel
 * (a prefix), so the events a channel keeps are exactly `floor+1 .. head`.
 */
export interface RetentionPolicy {
  /** Keep at most this many events per channel (0 = unlimited). */
  readonly maxEvents: number;
  /** Drop events stored longer ago than this many milliseconds (0 = unlimited). */
  readonly maxAgeMs: number;
}

/** Keeps everything. */
export const NO_RETENTION: RetentionPolicy = Object.freeze({ maxEvents: 0, maxAgeMs: 0 });

/** Throws RangeError unless both limits are safe non-negative integers. */
export function checkRetention(policy: RetentionPolicy): RetentionPolicy {
  for (const key of ['maxEvents', 'maxAgeMs'] as const) {
    const v = policy[key];
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`retention.${key} must be a non-negative integer, got ${String(v)}`);
  }
  return policy;
}

/** Options every implementation accepts (the contract suite passes them). */
export interface EventStoreOptions {
  /** Default NO_RETENTION. */
  readonly retention?: RetentionPolicy;
  /** Clock (ms since the epoch) used to stamp events for age retention. Default Date.now. */
  readonly now?: () => number;
  /** When > 0 the store runs prune() itself this often (an unref'd timer). Default 0 (off). */
  readonly pruneIntervalMs?: number;
  /** Failures the store handled on its own (timer prune, health probes), for logging. */
  readonly onError?: (err: unknown) => void;
  /** Caps on creating channels (default: NO_CHANNEL_LIMITS). */
  readonly channelLimits?: ChannelLimits;
}

export type ReplayResult =
  /** `events` are every retained event with seq > since, ascending, at most `limit`; `head` is the channel's latest seq. */
  | { gone: false; events: FileEvent[]; head: number }
  /** Some events after `since` were removed by retention (since < floor): the client must resync. */
  | { gone: true; head: number };

export interface EventStore {
  /**
   * Allocates the next seq for `event.channel`, commits the event, and only then resolves.
   * Rejects with WsguardError('unavailable') when the log cannot store it: nothing is half-written,
   * and no seq is used up by a failed append.
   */
  append(event: NewEvent): Promise<FileEvent>;
  /**
   * Events with seq > since, ascending, at most `limit` (an integer >= 1, else RangeError).
   * Reading and the `gone` check are one consistent snapshot. `since` beyond `head` answers no events.
   */
  replay(channel: string, since: number, limit: number): Promise<ReplayResult>;
  /** Latest seq of the channel (0 when it has none). */
  head(channel: string): Promise<number>;
  /**
   * The channel's log epoch: a random id created with the log and stored with it, so a log that
   * starts again from seq 1 (Redis without AOF restarted, a failover, a deleted SQLite file, a
   * forgotten channel) has a new one and clients can tell. Undefined while the channel has no log.
   */
  epoch?(channel: string): Promise<string | undefined>;
  /** Applies retention now; returns how many events were removed. */
  prune(): Promise<number>;
  /** true when the log can currently take writes. */
  healthy(): Promise<boolean>;
  /** Channels the log holds (for the metrics); optional for other implementations. */
  channelTotal?(): Promise<number>;
  /** Idempotent. Afterwards every call rejects with WsguardError('unavailable'). */
  close(): Promise<void>;
}

/** A new epoch: 64 random bits, base64url (short on the wire, unique enough per channel). */
export function newEpoch(): string {
  return randomBytes(8).toString('base64url');
}

/** Throws RangeError unless `limit` is a positive safe integer and `since` a non-negative one. */
export function checkReplayArgs(since: number, limit: number): void {
  if (!Number.isSafeInteger(since) || since < 0) throw new RangeError(`since must be a non-negative integer, got ${String(since)}`);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${String(limit)}`);
}

// ---- Channel creation caps (issue 10: a publisher cannot make the log grow without bound) ----

/**
 * Checked when an append would create a channel the log does not hold (a first event, or the
 * first one after retention emptied and forgot the channel). An append to an existing channel
 * is never refused by them.
 */
export interface ChannelLimits {
  /** Most channels the log holds (0 = unlimited). */
  readonly maxChannels: number;
  /** Most channels one identity (`by`) may create per hour, a fixed window (0 = unlimited). */
  readonly newPerUserPerHour: number;
}

export const NO_CHANNEL_LIMITS: ChannelLimits = Object.freeze({ maxChannels: 0, newPerUserPerHour: 0 });
export const CHANNEL_WINDOW_MS = 3_600_000;

/** Throws RangeError unless both limits are safe non-negative integers. */
export function checkChannelLimits(limits: ChannelLimits | undefined): ChannelLimits {
  const l = limits ?? NO_CHANNEL_LIMITS;
  for (const key of ['maxChannels', 'newPerUserPerHour'] as const) {
    const v = l[key];
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`channelLimits.${key} must be a non-negative integer, got ${String(v)}`);
  }
  return l;
}

/** An append refused by ChannelLimits: nothing was stored. `scope` says which cap (for metrics). */
export class ChannelLimitError extends WsguardError {
  readonly scope: 'total' | 'user';
  constructor(scope: 'total' | 'user') {
    super('channel_limit', scope === 'total' ? 'The event log holds its maximum number of channels.' : 'This identity created too many channels recently.');
    this.scope = scope;
  }
}

/**
 * Per-identity new-channel counters for one process (memory and SQLite stores), in fixed windows.
 * Memory stays bounded: entries of past windows are dropped when the window turns.
 */
export class NewChannelCounter {
  private window = -1;
  private readonly counts = new Map<string, number>();
  constructor(private readonly perWindow: number) {}

  /** True when `sub` may create one more channel now (and counts it); false past the cap. */
  take(sub: string, nowMs: number): boolean {
    if (this.perWindow === 0) return true;
    const w = Math.floor(nowMs / CHANNEL_WINDOW_MS);
    if (w !== this.window) {
      this.window = w;
      this.counts.clear();
    }
    const n = this.counts.get(sub) ?? 0;
    if (n >= this.perWindow) return false;
    this.counts.set(sub, n + 1);
    return true;
  }

  /** Gives back one count (the append that took it was not committed). */
  giveBack(sub: string): void {
    const n = this.counts.get(sub);
    if (n !== undefined) this.counts.set(sub, Math.max(0, n - 1));
  }
}
