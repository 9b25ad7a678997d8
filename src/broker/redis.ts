/**
 * Fan-out between nodes over Redis pub/sub.
 *
 * The RedisEventStore's append script already PUBLISHes each committed event in the same atomic
 * step that allocates its seq, so `publish()` here is a no-op: publishing again would deliver
 * every event twice. Use this broker together with RedisEventStore (src/cluster/redis-backend.ts
 * wires them with the same prefix).
 *
 * A Redis SUBSCRIBE is held only while the channel has local listeners, and one subscription
 * serves all of them. ioredis resubscribes after a reconnect; `onReconnect` listeners run once
 * the resubscription is confirmed, so the hub can fill the gap from history without a new hole.
 */
import type { Redis } from 'ioredis';
import type { FileEvent } from '../protocol/index.js';
import type { Broker, EventListener } from './types.js';

export interface RedisBrokerOptions {
  /** A connection used only for pub/sub (it may be shared with other subscribers). */
  readonly subscriber: Redis;
  /** Same prefix as the RedisEventStore's. */
  readonly prefix: string;
  /** Where a listener's exception or a Redis error is reported; the broker keeps going. */
  readonly onError?: (err: unknown) => void;
}

/** Minimal shape check: the payload comes from Redis, which other clients can write to. */
function parseEvent(message: string, channel: string): FileEvent | undefined {
  try {
    const v: unknown = JSON.parse(message);
    if (typeof v !== 'object' || v === null) return undefined;
    const e = v as Partial<FileEvent>;
    if (e.channel !== channel || typeof e.seq !== 'number' || !Number.isSafeInteger(e.seq)) return undefined;
    return e as FileEvent;
  } catch {
    return undefined;
  }
}

export class RedisBroker implements Broker {
  readonly #sub: Redis;
  readonly #prefix: string;
  readonly #onError: (err: unknown) => void;
  /** Redis channel → local channel name and its listeners. */
  readonly #listeners = new Map<string, { channel: string; set: Set<EventListener> }>();
  readonly #reconnectListeners: (() => void)[] = [];
  #wasReady: boolean;
  #closed = false;

  constructor(opts: RedisBrokerOptions) {
    this.#sub = opts.subscriber;
    this.#prefix = opts.prefix;
    this.#onError = opts.onError ?? (() => {});
    this.#wasReady = this.#sub.status === 'ready';
    this.#sub.on('message', this.#onMessage);
    this.#sub.on('ready', this.#onReady);
  }

  readonly #onMessage = (redisChannel: string, message: string): void => {
    const entry = this.#listeners.get(redisChannel);
    if (!entry) return;
    const event = parseEvent(message, entry.channel);
    if (!event) return this.#onError(new Error(`malformed event on ${redisChannel}`));
    for (const listener of [...entry.set]) {
      try {
        listener(event);
      } catch (err) {
        this.#onError(err);
      }
    }
  };

  readonly #onReady = (): void => {
    if (!this.#wasReady) {
      this.#wasReady = true;
      return;
    }
    // ioredis emits 'ready' just before it re-sends the SUBSCRIBEs; a PING queued after them
    // (next turn of the loop) is answered only once they are active.
    setImmediate(() => this.#afterResubscribe());
  };

  #afterResubscribe(): void {
    if (this.#closed) return;
    this.#sub.ping().then(
      () => {
        if (this.#closed) return;
        for (const l of this.#reconnectListeners) {
          try {
            l();
          } catch (err) {
            this.#onError(err);
          }
        }
      },
      (err: unknown) => this.#onError(err),
    );
  }

  /** No-op: the store's append script published the event atomically with its seq. */
  async publish(_event: FileEvent): Promise<void> {}

  subscribe(channel: string, listener: EventListener): () => void {
    const redisChannel = `${this.#prefix}ev:${channel}`;
    let entry = this.#listeners.get(redisChannel);
    if (!entry) {
      entry = { channel, set: new Set() };
      this.#listeners.set(redisChannel, entry);
      // Commands on one connection run in order, so a quick unsubscribe/subscribe ends subscribed.
      this.#sub.subscribe(redisChannel).catch(this.#onError);
    }
    // Wrap so the same function can be added twice and removed once per unsubscribe call.
    const own: EventListener = (e) => listener(e);
    entry.set.add(own);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const current = this.#listeners.get(redisChannel);
      if (!current) return;
      current.set.delete(own);
      if (current.set.size === 0) {
        this.#listeners.delete(redisChannel);
        if (!this.#closed) this.#sub.unsubscribe(redisChannel).catch(this.#onError);
      }
    };
  }

  onReconnect(listener: () => void): void {
    this.#reconnectListeners.push(listener);
  }

  async healthy(): Promise<boolean> {
    return this.#sub.status === 'ready';
  }

  /** Drops this broker's subscriptions; the connection belongs to whoever created it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#sub.off('message', this.#onMessage);
    this.#sub.off('ready', this.#onReady);
    const channels = [...this.#listeners.keys()];
    this.#listeners.clear();
    if (channels.length > 0 && this.#sub.status === 'ready') await this.#sub.unsubscribe(...channels).catch(() => {});
  }

  /** Redis channels this broker currently holds (for tests and metrics). */
  subscriptions(): string[] {
    return [...this.#listeners.keys()];
  }
}
