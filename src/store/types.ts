/**
 * The durable event log: one gap-free, increasing `seq` per channel.
 * Implementations: memory (tests), sqlite (embedded default), redis (cluster).
 */
import type { FileEvent } from '../protocol/index.js';

/** An event before the log gives it a seq. */
export type NewEvent = Omit<FileEvent, 'seq'>;

export interface RetentionPolicy {
  /** Keep at most this many events per channel (0 = unlimited). */
  readonly maxEvents: number;
  /** Drop events older than this many milliseconds (0 = unlimited). */
  readonly maxAgeMs: number;
}

export type ReplayResult =
  /** `events` are every retained event with seq > since, ascending, at most `limit`; `head` is the channel's latest seq. */
  | { gone: false; events: FileEvent[]; head: number }
  /** Some events after `since` were removed by retention: the client must resync. */
  | { gone: true; head: number };

export interface EventStore {
  /**
   * Allocates the next seq for `event.channel`, commits the event, and only then resolves.
   * Rejects with WsguardError('unavailable') when the log cannot store it: nothing is half-written.
   */
  append(event: NewEvent): Promise<FileEvent>;
  /** Events with seq > since, ascending, at most `limit`. */
  replay(channel: string, since: number, limit: number): Promise<ReplayResult>;
  /** Latest seq of the channel (0 when it has none). */
  head(channel: string): Promise<number>;
  /** Applies retention now; returns how many events were removed. */
  prune(): Promise<number>;
  /** true when the log can currently take writes. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
