/**
 * Single-node fan-out (the default). A MemoryBus stands in for the transport between nodes:
 * brokers sharing one bus behave like nodes of a cluster inside one process (hub tests use that);
 * a broker created without a bus gets a private one.
 */
import { WsguardError, type FileEvent } from '../protocol/index.js';
import type { Broker, EventListener } from './types.js';

type Upstream = (event: FileEvent) => void;

/** The in-process "transport": channel → the brokers (one upstream each) listening to it. */
export class MemoryBus {
  private readonly upstreams = new Map<string, Set<Upstream>>();

  /** Delivers asynchronously (a microtask), in publish order, to every upstream of the channel. */
  publish(event: FileEvent): void {
    const set = this.upstreams.get(event.channel);
    if (!set || set.size === 0) return;
    const targets = [...set];
    queueMicrotask(() => {
      for (const up of targets) if (set.has(up)) up(event);
    });
  }

  attach(channel: string, upstream: Upstream): () => void {
    let set = this.upstreams.get(channel);
    if (!set) this.upstreams.set(channel, (set = new Set()));
    set.add(upstream);
    return () => {
      set.delete(upstream);
      if (set.size === 0 && this.upstreams.get(channel) === set) this.upstreams.delete(channel);
    };
  }

  /** How many upstream subscriptions the channel has (one per broker with listeners). */
  upstreamCount(channel: string): number {
    return this.upstreams.get(channel)?.size ?? 0;
  }
}

export interface MemoryBrokerOptions {
  /** Share one bus between brokers to simulate several nodes. Default: a private bus. */
  readonly bus?: MemoryBus;
  /** Where a listener's exception is reported; the other listeners still get the event. */
  readonly onError?: (err: unknown) => void;
}

interface ChannelEntry {
  /** One entry per subscribe call, so the same function may be subscribed twice. */
  readonly listeners: Set<{ listener: EventListener }>;
  readonly detach: () => void;
}

export class MemoryBroker implements Broker {
  readonly bus: MemoryBus;
  private readonly onError: (err: unknown) => void;
  private readonly channels = new Map<string, ChannelEntry>();
  private readonly reconnectListeners: (() => void)[] = [];
  private closed = false;

  constructor(options: MemoryBrokerOptions = {}) {
    this.bus = options.bus ?? new MemoryBus();
    this.onError = options.onError ?? ((err) => console.error('wsguard: broker listener failed', err));
  }

  async publish(event: FileEvent): Promise<void> {
    if (this.closed) throw new WsguardError('unavailable', 'broker is closed');
    this.bus.publish(event);
  }

  subscribe(channel: string, listener: EventListener): () => void {
    if (this.closed) throw new WsguardError('unavailable', 'broker is closed');
    let entry = this.channels.get(channel);
    if (!entry) {
      const listeners = new Set<{ listener: EventListener }>();
      const detach = this.bus.attach(channel, (event) => this.deliver(listeners, event));
      entry = { listeners, detach };
      this.channels.set(channel, entry);
    }
    const own = { listener };
    const { listeners } = entry;
    listeners.add(own);
    return () => {
      if (!listeners.delete(own) || listeners.size > 0) return;
      const current = this.channels.get(channel);
      if (current?.listeners === listeners) {
        current.detach();
        this.channels.delete(channel);
      }
    };
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  /** Test hook: behave as if the transport dropped and came back (listeners may have missed events). */
  simulateReconnect(): void {
    for (const l of this.reconnectListeners) this.call(() => l());
  }

  async healthy(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.channels.values()) entry.detach();
    this.channels.clear();
    this.reconnectListeners.length = 0;
  }

  private deliver(listeners: Set<{ listener: EventListener }>, event: FileEvent): void {
    // A listener added during delivery waits for the next event; one removed during it gets no more.
    for (const own of [...listeners]) if (listeners.has(own)) this.call(() => own.listener(event));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onError(err);
    }
  }
}
