/**
 * The file-event hub on top of a Guard: channels, ACL from the token's `perms`, durable publish
 * (ack only after the store committed), and subscribe with replay-then-live via ChannelFeed.
 */
import type { Guard } from '../server/guard.js';
import type { Connection, MessageContext } from '../server/types.js';
import type { Identity } from '../auth/types.js';
import type { EventStore } from '../store/types.js';
import type { Broker } from '../broker/types.js';
import {
  CloseCode,
  CloseReason,
  FileDeletePayload,
  FileUploadPayload,
  isAllowed,
  SubscribePayload,
  UnsubscribePayload,
  WsguardError,
  type FileEvent,
} from '../protocol/index.js';
import { ChannelFeed, type FeedSink } from './channel-feed.js';

export interface HubOptions {
  readonly guard: Guard;
  readonly store: EventStore;
  readonly broker: Broker;
  /** Events per store read during replay (default 500). */
  readonly replayPageSize?: number;
  /** Most channels one connection may subscribe to at once (default 64). */
  readonly maxSubscriptionsPerConnection?: number;
  readonly now?: () => Date;
}

export type PublishInput =
  | { kind: 'file_upload'; payload: FileUploadPayload }
  | { kind: 'file_delete'; payload: FileDeletePayload };

const SUBS = 'hub.subscriptions';

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
  private readonly now: () => Date;

  constructor(o: HubOptions) {
    this.guard = o.guard;
    this.store = o.store;
    this.broker = o.broker;
    this.pageSize = o.replayPageSize ?? 500;
    this.maxSubs = o.maxSubscriptionsPerConnection ?? 64;
    this.now = o.now ?? (() => new Date());

    const canSubscribe = (ctx: MessageContext, p: { channel: string }) => isAllowed(ctx.identity.perms.subscribe, p.channel);
    const canPublish = (ctx: MessageContext, p: { channel: string }) => isAllowed(ctx.identity.perms.publish, p.channel);
    this.guard
      .message('subscribe', SubscribePayload, (ctx, p) => this.subscribe(ctx, p), { authorize: canSubscribe })
      .message('unsubscribe', UnsubscribePayload, (ctx, p) => this.unsubscribe(ctx, p))
      .message('file_upload', FileUploadPayload, (ctx, p) => this.publishFrom(ctx.identity, { kind: 'file_upload', payload: p }), { authorize: canPublish })
      .message('file_delete', FileDeletePayload, (ctx, p) => this.publishFrom(ctx.identity, { kind: 'file_delete', payload: p }), { authorize: canPublish });
    this.guard.on('disconnect', ({ connection }) => {
      for (const channel of subscriptions(connection).keys()) this.release(connection, channel);
    });
    this.guard.on('refresh', ({ connection }) => this.recheckSubscriptions(connection));
    this.broker.onReconnect(() => {
      for (const { feed } of this.feeds.values()) void feed.resync();
    });
  }

  /** Appends to the log, then fans out; resolves with the committed event. Used by WS and HTTP publish alike. */
  async publishFrom(identity: Identity, input: PublishInput): Promise<{ seq: number }> {
    if (!isAllowed(identity.perms.publish, input.payload.channel)) throw new WsguardError('forbidden');
    const { channel, path } = input.payload;
    const file = input.kind === 'file_upload' ? { size: input.payload.size, mime: input.payload.mime, sha256: input.payload.sha256 } : {};
    const event = await this.store.append({ channel, kind: input.kind, path, ...file, by: identity.sub, at: this.now().toISOString() });
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

  private async subscribe(ctx: MessageContext, p: SubscribePayload): Promise<void> {
    const conn = ctx.connection;
    const subs = subscriptions(conn);
    if (subs.has(p.channel)) this.release(conn, p.channel); // a new subscribe replaces the old one
    if (subs.size >= this.maxSubs) throw new WsguardError('rate_limited', 'Too many subscriptions on this connection.');
    const sink = connectionSink(conn);
    subs.set(p.channel, sink);
    const entry = this.acquire(p.channel);
    const result = await entry.feed.join(sink, p.since, (head, epoch) =>
      ctx.reply({ type: 'subscribed', payload: { channel: p.channel, seq: head, ...(epoch !== undefined ? { epoch } : {}) } }),
    );
    if (result.ok) return;
    if (subs.get(p.channel) === sink) this.release(conn, p.channel);
    // `since` beyond the head: the log was reset under the client (or it is wrong); like lost history.
    if (result.reason === 'history_gone' || result.reason === 'ahead') throw new WsguardError('history_gone');
    if (result.reason === 'unavailable') throw new WsguardError('unavailable');
    // 'closed': the connection went away; whatever is answered is dropped.
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
        replayPollMs: 10,
        maxReplayRounds: 100_000,
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
    const entry = this.feeds.get(channel);
    if (!entry) return;
    entry.feed.leave(sink);
    if (--entry.refs === 0) {
      entry.feed.close();
      this.feeds.delete(channel);
    }
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

function connectionSink(conn: Connection): FeedSink<Buffer> {
  return {
    sendRaw: (frame) => conn.sendRaw(frame),
    bufferedAmount: () => conn.bufferedAmount,
    get closed() {
      return conn.closed;
    },
    // The feed lost events this connection needed: make the client reconnect and resume, which
    // answers history_gone on that subscribe if they are really gone.
    historyGone: () => conn.close(CloseCode.TRY_AGAIN_LATER, CloseReason.RESYNC),
  };
}

export function createHub(options: HubOptions): Hub {
  return new Hub(options);
}
