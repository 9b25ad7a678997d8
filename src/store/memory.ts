/**
 * In-memory EventStore with the same semantics as the SQLite one (test/store/contract.ts checks both).
 * For tests, benchmarks and throwaway dev runs: nothing survives the process.
 */
import { WsguardError, type FileEvent } from '../protocol/index.js';
import {
  ChannelLimitError,
  checkChannelLimits,
  NewChannelCounter,
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

interface ChannelLog {
  head: number;
  /** Highest seq removed by retention; `events[i].seq === floor + 1 + i`. */
  floor: number;
  events: FileEvent[];
  /** When each event was stored (parallel to `events`). */
  storedAt: number[];
  /** Created with the log (see EventStore.epoch). */
  epoch: string;
}

export class MemoryEventStore implements EventStore {
  readonly retention: RetentionPolicy;
  private readonly now: () => number;
  private readonly channels = new Map<string, ChannelLog>();
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;
  private outage = false;
  private readonly limits: ChannelLimits;
  private readonly newChannels: NewChannelCounter;

  constructor(options: EventStoreOptions = {}) {
    this.retention = checkRetention(options.retention ?? NO_RETENTION);
    this.limits = checkChannelLimits(options.channelLimits);
    this.newChannels = new NewChannelCounter(this.limits.newPerUserPerHour);
    this.now = options.now ?? Date.now;
    const every = options.pruneIntervalMs ?? 0;
    if (every > 0) {
      this.timer = setInterval(() => void this.prune().catch((err: unknown) => options.onError?.(err)), every);
      this.timer.unref();
    }
  }

  /** Test hook: while on, writes fail with `unavailable` and healthy() is false, like a read-only disk. */
  simulateOutage(on: boolean): void {
    this.outage = on;
  }

  async append(event: NewEvent): Promise<FileEvent> {
    this.checkOpen();
    if (this.outage) throw new WsguardError('unavailable');
    let log = this.channels.get(event.channel);
    if (!log) {
      this.admitNewChannel(event.by);
      log = { head: 0, floor: 0, events: [], storedAt: [], epoch: newEpoch() };
      this.channels.set(event.channel, log);
    }
    const stored: FileEvent = copyEvent({ ...event, seq: log.head + 1 });
    log.head = stored.seq;
    log.events.push(stored);
    log.storedAt.push(this.now());
    return { ...stored };
  }

  async replay(channel: string, since: number, limit: number): Promise<ReplayResult> {
    checkReplayArgs(since, limit);
    this.checkOpen();
    const log = this.channels.get(channel);
    if (!log) return { gone: false, events: [], head: 0 };
    if (since < log.floor) return { gone: true, head: log.head };
    const start = since - log.floor;
    return { gone: false, events: log.events.slice(start, start + limit).map((e) => ({ ...e })), head: log.head };
  }

  async head(channel: string): Promise<number> {
    this.checkOpen();
    return this.channels.get(channel)?.head ?? 0;
  }

  async epoch(channel: string): Promise<string | undefined> {
    this.checkOpen();
    return this.channels.get(channel)?.epoch;
  }

  /** Test hook: the log of `channel` starts again from scratch (as after a Redis restart without AOF). */
  resetChannel(channel: string): void {
    this.channels.delete(channel);
  }

  async prune(): Promise<number> {
    this.checkOpen();
    const { maxEvents, maxAgeMs } = this.retention;
    if (maxEvents === 0 && maxAgeMs === 0) return 0;
    const cutoff = this.now() - maxAgeMs;
    let removed = 0;
    for (const log of this.channels.values()) {
      let drop = maxEvents > 0 ? Math.max(0, log.events.length - maxEvents) : 0;
      if (maxAgeMs > 0) while (drop < log.storedAt.length && log.storedAt[drop]! < cutoff) drop++;
      if (drop === 0) continue;
      log.events.splice(0, drop);
      log.storedAt.splice(0, drop);
      log.floor += drop;
      removed += drop;
    }
    // Forget channels retention left empty (as the other stores do).
    for (const [channel, log] of this.channels) if (log.events.length === 0) this.channels.delete(channel);
    return removed;
  }

  /** Channels the log holds. */
  async channelTotal(): Promise<number> {
    return this.channels.size;
  }

  /** Throws ChannelLimitError when creating one more channel would pass a cap. */
  private admitNewChannel(by: string): void {
    if (this.limits.maxChannels > 0 && this.channels.size >= this.limits.maxChannels) throw new ChannelLimitError('total');
    if (!this.newChannels.take(by, this.now())) throw new ChannelLimitError('user');
  }

  async healthy(): Promise<boolean> {
    return !this.closed && !this.outage;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }

  private checkOpen(): void {
    if (this.closed) throw new WsguardError('unavailable', 'event store is closed');
  }
}

/** A copy with exactly the FileEvent fields (optional ones only when present). */
export function copyEvent(e: FileEvent): FileEvent {
  const out: FileEvent = { channel: e.channel, seq: e.seq, kind: e.kind, path: e.path, by: e.by, at: e.at };
  if (e.size !== undefined) out.size = e.size;
  if (e.mime !== undefined) out.mime = e.mime;
  if (e.sha256 !== undefined) out.sha256 = e.sha256;
  return out;
}
