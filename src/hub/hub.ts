/**
 * The file-event hub on top of a Guard: channels, ACL from the token's `perms`, durable publish
 * (ack only after the store committed), and subscribe with replay-then-live via ChannelFeed.
 */
import type { Guard } from '../server/guard.js';
import type { Connection, MessageContext } from '../server/types.js';
import type { Identity } from '../auth/types.js';
import { ChannelLimitError, type ChannelLimits, type EventStore } from '../store/types.js';
import type { Broker } from '../broker/types.js';
import {
  CLIENT_MESSAGES,
  CloseCode,
  CloseReason,
  isAllowed,
  WsguardError,
  type FileDeletePayload,
  type FileUploadPayload,
  type SubscribePayload,
  type UnsubscribePayload,
  errorInfo,
  type FileEvent,
} from '../protocol/index.js';
import { Counter, Gauge } from 'prom-client';
import { ChannelFeed, type FeedSink } from './channel-feed.js';
import { TurnPacer } from './replay-pacer.js';
import { DEFAULT_REPLAY_LIMITS, ReplaySlots, type ReplayLimits } from './replay-slots.js';
import { KeyedBuckets } from '../server/token-bucket.js';

export interface HubOptions {
  readonly guard: Guard;
  readonly store: EventStore;
  readonly broker: Broker;
  /** Events per store read during replay: one page per turn of the event loop (default 200). */
  readonly replayPageSize?: number;
  /** Replay work in flight per connection and per identity (defaults: DEFAULT_REPLAY_LIMITS). */
  readonly replayLimits?: Partial<ReplayLimits>;
  /** The store's channel caps, shown in the metrics (the store enforces them). */
  readonly channelLimits?: ChannelLimits;
  /** Most channels one connection may subscribe to at once (default 64). */
  readonly maxSubscriptionsPerConnection?: number;
  /**
   * Publishes one identity may make per second over all its connections and HTTP, on this node
   * (default: the guard's per-connection messageRate). Without it one account with 10 sockets wrote
   * 10 times the per-connection rate into the log.
   */
  readonly publishRatePerUser?: { readonly perSec: number; readonly burst: number };
  readonly now?: () => Date;
}

export type PublishInput =
  | { kind: 'file_upload'; payload: FileUploadPayload }
  | { kind: 'file_delete'; payload: FileDeletePayload };

const SUBS = 'hub.subscriptions';
const HOLD = 'hub.idle-hold';

/**
 * Serialized and UTF-8 encoded once per event, whatever the number of subscribers: ws sends the
 * same Buffer as a text frame to each, instead of encoding the string again per subscriber.
 */
export function eventFrame(event: FileEvent): Buffer {
  return Buffer.from(JSON.stringify({ type: 'event', payload: event }));
}

export class Hub {
  private readonly feeds = new Map<string, { feed: ChannelFeed<Buffer>; refs: number }>();
  private readonly guard: Guard;
  private readonly store: EventStore;
  private readonly broker: Broker;
  private readonly pageSize: number;
  private readonly maxSubs: number;
  private readonly publishBudget: KeyedBuckets;
  private readonly now: () => Date;
  /** One page of replay or gap fill per turn of the event loop, over every channel. */
  private readonly pacer = new TurnPacer();
  private readonly replays: ReplaySlots;
  private readonly channelRefused: Counter<'scope'>;

  constructor(o: HubOptions) {
    this.guard = o.guard;
    this.store = o.store;
    this.broker = o.broker;
    this.pageSize = o.replayPageSize ?? 200;
    const registers = [o.guard.registry];
    const replayGauge = new Gauge({ name: 'wsguard_hub_replays', help: 'Replays on this node: running, or waiting for a slot.', labelNames: ['state'] as const, registers });
    const replayRefused = new Counter({ name: 'wsguard_hub_replays_refused_total', help: 'Subscribes refused with replay_limited (the identity had too many replays waiting).', registers });
    this.replays = new ReplaySlots({ ...DEFAULT_REPLAY_LIMITS, ...o.replayLimits }, {
      changed: (active, waiting) => {
        replayGauge.set({ state: 'active' }, active);
        replayGauge.set({ state: 'waiting' }, waiting);
      },
      refused: () => replayRefused.inc(),
    });
    this.channelRefused = new Counter({ name: 'wsguard_hub_channel_limit_total', help: 'Publishes refused with channel_limit, by cap (total or user).', labelNames: ['scope'] as const, registers });
    const store = o.store;
    new Gauge({
      name: 'wsguard_hub_channels',
      help: 'Channels the event log holds.',
      registers,
      async collect() {
        const n = await store.channelTotal?.().catch(() => undefined);
        if (n !== undefined) this.set(n);
      },
    });
    if (o.channelLimits) {
      const caps = new Gauge({ name: 'wsguard_hub_channel_limits', help: 'Configured channel caps (0 = unlimited).', labelNames: ['limit'] as const, registers });
      caps.set({ limit: 'max_channels' }, o.channelLimits.maxChannels);
      caps.set({ limit: 'new_per_user_per_hour' }, o.channelLimits.newPerUserPerHour);
    }
    this.maxSubs = o.maxSubscriptionsPerConnection ?? 64;
    const publishRate = o.publishRatePerUser ?? this.guard.options.messageRate;
    this.publishBudget = new KeyedBuckets(publishRate.perSec, publishRate.burst);
    this.now = o.now ?? (() => new Date());

    const canSubscribe = (ctx: MessageContext, p: { channel: string }) => isAllowed(ctx.identity.perms.subscribe, p.channel);
    const canPublish = (ctx: MessageContext, p: { channel: string }) => isAllowed(ctx.identity.perms.publish, p.channel);
    // Schemas from the protocol's registry (CLIENT_MESSAGES), the one the docs and the client use;
    // the guard's builtins register 'ping' and 'auth.refresh' from it too.
    const M = CLIENT_MESSAGES;
    // Publishes are pipelined: publishFrom queues its append before its first await, so a burst
    // from one connection is appended in arrival order and shares one group commit (and one write
    // per subscriber); the runner still answers in arrival order.
    const publish = { authorize: canPublish, pipelined: true };
    this.guard
      .message('subscribe', M.subscribe, (ctx, p) => this.subscribe(ctx, p), { authorize: canSubscribe })
      .message('unsubscribe', M.unsubscribe, (ctx, p) => this.unsubscribe(ctx, p))
      .message('file_upload', M.file_upload, (ctx, p) => this.publishCharged(ctx.identity, { kind: 'file_upload', payload: p }), publish)
      .message('file_delete', M.file_delete, (ctx, p) => this.publishCharged(ctx.identity, { kind: 'file_delete', payload: p }), publish);
    this.guard.on('disconnect', ({ connection }) => {
      for (const channel of subscriptions(connection).keys()) this.release(connection, channel);
    });
    this.guard.on('refresh', ({ connection }) => this.recheckSubscriptions(connection));
    this.broker.onReconnect(() => {
      for (const { feed } of this.feeds.values()) void feed.resync();
    });
  }

  /** Takes one publish from the identity's budget (shared by its connections and HTTP); false: over it. */
  takePublishBudget(sub: string): boolean {
    return this.publishBudget.take(sub);
  }

  private publishCharged(identity: Identity, input: PublishInput): Promise<{ seq: number }> {
    if (!this.takePublishBudget(identity.sub)) throw new WsguardError('rate_limited');
    return this.publishFrom(identity, input);
  }

  /** Appends to the log, then fans out; resolves with the committed event. Used by WS and HTTP publish alike (charged by the caller). */
  async publishFrom(identity: Identity, input: PublishInput): Promise<{ seq: number }> {
    if (!isAllowed(identity.perms.publish, input.payload.channel)) throw new WsguardError('forbidden');
    const { channel, path } = input.payload;
    const file = input.kind === 'file_upload' ? { size: input.payload.size, mime: input.payload.mime, sha256: input.payload.sha256 } : {};
    let event: FileEvent;
    try {
      event = await this.store.append({ channel, kind: input.kind, path, ...file, by: identity.sub, at: this.now().toISOString() });
    } catch (err) {
      if (err instanceof ChannelLimitError) this.channelRefused.inc({ scope: err.scope });
      throw err;
    }
    // The event is durable now: a failed fan-out only delays delivery (subscribers catch up from
    // the log on the next event or reconnect), so the publisher still gets its ack.
    await this.broker.publish(event).catch((err: unknown) => this.guard.logger.warn({ err: (err as Error).message }, 'broker publish failed'));
    return { seq: event.seq };
  }

  /** Live channels on this node and their local subscriber counts (for /healthz and metrics). */
  stats(): { channels: number; subscriptions: number } {
    let subs = 0;
    for (const { refs } of this.feeds.values()) subs += refs;
    return { channels: this.feeds.size, subscriptions: subs };
  }

  /**
   * Answers later (deferred): the replay runs outside the connection's message queue, so the
   * client's ping, auth.refresh and unsubscribe are answered while it runs. Per channel the feed
   * keeps the order (subscribed, replayed events, live events) without gap or duplicate.
   */
  private subscribe(ctx: MessageContext, p: SubscribePayload): void {
    const conn = ctx.connection;
    const subs = subscriptions(conn);
    if (subs.has(p.channel)) this.release(conn, p.channel); // a new subscribe replaces the old one
    // Its own code, not rate_limited: waiting does not help, only an unsubscribe does.
    if (subs.size >= this.maxSubs) throw new WsguardError('too_many_subscriptions');
    const sink = connectionSink(conn);
    subs.set(p.channel, sink);
    holdWhileSubscribed(conn, subs);
    const entry = this.acquire(p.channel);
    ctx.defer();
    let started = false;
    const onStart = (head: number, epoch: string | undefined) => {
      started = true;
      ctx.reply({ type: 'subscribed', payload: { channel: p.channel, seq: head, ...(epoch !== undefined ? { epoch } : {}) } });
    };
    const acquireReplay = () => this.replays.acquire(conn.id, ctx.identity.sub);
    void entry.feed.join(sink, p.since, onStart, acquireReplay).then(
      (result) => {
        if (result.ok) return;
        if (subs.get(p.channel) === sink) this.release(conn, p.channel);
        if (conn.closed) return; // the connection went away; nothing to answer
        if (started) {
          // `subscribed` is out and part of the history went to the client: the rest cannot follow
          // in order, so it reconnects and resumes from what it has (as for a live subscriber).
          if (result.reason !== 'closed') conn.close(CloseCode.TRY_AGAIN_LATER, CloseReason.RESYNC);
          return;
        }
        // 'closed' with the connection open: unsubscribed (or replaced) before the replay began.
        // `ahead`: `since` is beyond the log's head (the log was reset under the client): like lost history.
        const code = result.reason === 'closed' ? 'not_subscribed' : result.reason === 'limited' ? 'replay_limited' : result.reason === 'ahead' ? 'history_gone' : result.reason;
        ctx.reply({ type: 'error', payload: { code, message: errorInfo(code).message } });
      },
      (err: unknown) => {
        this.guard.logger.error({ err: (err as Error)?.message, channel: p.channel }, 'subscribe failed');
        if (subs.get(p.channel) === sink) this.release(conn, p.channel);
        if (!started && !conn.closed) ctx.reply({ type: 'error', payload: { code: 'internal', message: errorInfo('internal').message } });
      },
    );
  }

  /** After auth.refresh: subscriptions the new perms no longer allow end now, with a reason. */
  private recheckSubscriptions(conn: Connection): void {
    for (const channel of [...subscriptions(conn).keys()]) {
      if (isAllowed(conn.identity.perms.subscribe, channel)) continue;
      this.release(conn, channel);
      conn.send({ type: 'unsubscribed', payload: { channel, reason: 'forbidden' } });
    }
  }

  private unsubscribe(ctx: MessageContext, p: UnsubscribePayload): void {
    if (!subscriptions(ctx.connection).has(p.channel)) throw new WsguardError('not_subscribed');
    this.release(ctx.connection, p.channel);
    ctx.reply({ type: 'unsubscribed', payload: { channel: p.channel } });
  }

  private acquire(channel: string): { feed: ChannelFeed<Buffer>; refs: number } {
    let entry = this.feeds.get(channel);
    if (!entry) {
      const feed = new ChannelFeed<Buffer>(channel, this.store, this.broker, {
        pageSize: this.pageSize,
        replayHighWaterMark: Math.floor(this.guard.options.sendHighWaterMark / 2),
        maxBatchBytes: Math.max(1, Math.min(64 * 1024, Math.floor(this.guard.options.sendHighWaterMark / 4))),
        replayPollMs: 10,
        maxReplayRounds: 100_000,
        pace: () => this.pacer.turn(),
        serialize: eventFrame,
        onError: (err) => this.guard.logger.error({ err: (err as Error)?.message, channel }, 'channel feed error'),
      });
      entry = { feed, refs: 0 };
      this.feeds.set(channel, entry);
    }
    entry.refs++;
    return entry;
  }

  private release(conn: Connection, channel: string): void {
    const subs = subscriptions(conn);
    const sink = subs.get(channel);
    if (!sink) return;
    subs.delete(channel);
    holdWhileSubscribed(conn, subs);
    (sink as CancellableSink).cancelled = true; // ends its replay, if one is running
    const entry = this.feeds.get(channel);
    if (!entry) return;
    entry.feed.leave(sink);
    if (--entry.refs === 0) {
      entry.feed.close();
      this.feeds.delete(channel);
    }
  }
}

/** A connection with a live subscription is in use, however quiet the channel: never closed as idle. */
function holdWhileSubscribed(conn: Connection, subs: Map<string, unknown>): void {
  const release = conn.state.get(HOLD) as (() => void) | undefined;
  if (subs.size > 0 && !release) conn.state.set(HOLD, conn.hold());
  else if (subs.size === 0 && release) {
    release();
    conn.state.delete(HOLD);
  }
}

function subscriptions(conn: Connection): Map<string, FeedSink<Buffer>> {
  let subs = conn.state.get(SUBS) as Map<string, FeedSink<Buffer>> | undefined;
  if (!subs) {
    subs = new Map();
    conn.state.set(SUBS, subs);
  }
  return subs;
}

type CancellableSink = FeedSink<Buffer> & { cancelled: boolean };

function connectionSink(conn: Connection): CancellableSink {
  const corkable = conn as Connection & { cork?: () => void; sendFrames?: (frames: readonly Buffer[]) => boolean };
  return {
    cancelled: false,
    sendRaw(frame) {
      return !this.cancelled && conn.sendRaw(frame);
    },
    sendFrames(frames) {
      if (this.cancelled) return false;
      if (corkable.sendFrames) return corkable.sendFrames(frames);
      for (const f of frames) if (!conn.sendRaw(f)) return false;
      return true;
    },
    bufferedAmount: () => conn.bufferedAmount,
    get closed() {
      return this.cancelled || conn.closed;
    },
    cork: () => corkable.cork?.(),
    // The feed lost events this connection needed: make the client reconnect and resume, which
    // answers history_gone on that subscribe if they are really gone.
    historyGone: () => conn.close(CloseCode.TRY_AGAIN_LATER, CloseReason.RESYNC),
  };
}

export function createHub(options: HubOptions): Hub {
  return new Hub(options);
}
