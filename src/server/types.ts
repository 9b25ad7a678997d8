/** Public types of `wsguard/server`: what handlers and the hub build on. */
import type { z } from 'zod';
import type { Identity } from '../auth/types.js';
import type { ServerMessage } from '../protocol/index.js';

export interface Connection {
  /** Random 128-bit id (base64url). */
  readonly id: string;
  /** Current identity (replaced by a successful `auth.refresh`). */
  readonly identity: Identity;
  /** Client address after trusted-proxy resolution. */
  readonly ip: string;
  /** Per-connection data for the app (subscriptions, ...). */
  readonly state: Map<string, unknown>;
  /** True once closing or closed; sends are dropped. */
  readonly closed: boolean;
  /** Bytes queued for this socket and not yet written. */
  readonly bufferedAmount: number;
  /** Serializes and sends; false when dropped (closed, or over the high-water mark: then closed with 1013). */
  send(message: ServerMessage): boolean;
  /**
   * Sends an already serialized message (serialize once, send to many) as a text frame; a Buffer
   * (UTF-8 JSON) spares re-encoding per recipient. Same backpressure rule.
   */
  sendRaw(serialized: string | Buffer): boolean;
  /**
   * Keeps the connection from being closed as idle until the returned release is called (e.g. while
   * it has a live subscription). Heartbeats still apply.
   */
  hold(): () => void;
  /** Close with a registered close code and a short machine reason. */
  close(code: number, reason: string): void;
}

export interface MessageContext {
  readonly connection: Connection;
  readonly identity: Identity;
  /** The client's correlation id, when it sent one. */
  readonly id: string | undefined;
  readonly type: string;
  /** Answers with this message (correlation id added) instead of the automatic `ack`. */
  reply(message: ServerMessage): void;
  /**
   * The handler answers later, after it returned (long work that must not hold the connection's
   * message queue): no automatic `ack`; the handler calls `reply` exactly once when done, an
   * `error` frame included (a throw after returning no longer reaches the pipeline).
   */
  defer(): void;
}

/** The ack payload; undefined means `{}`. */
export type AckPayload = { seq?: number } | undefined | void;

export type MessageHandler<P> = (ctx: MessageContext, payload: P) => AckPayload | Promise<AckPayload>;
export type AuthorizeHook<P> = (ctx: MessageContext, payload: P) => boolean | Promise<boolean>;

export interface MessageOptions<P> {
  /** Runs before the handler; false answers `forbidden` (and counts as a violation). */
  readonly authorize?: AuthorizeHook<P>;
  /**
   * The connection's next messages may start before this one is answered (up to `maxPipelined` in
   * flight); answers still leave in arrival order. Only for a handler whose effects are ordered by
   * its synchronous start (the hub's publish queues its append before its first await) and that
   * changes no connection state a later message's checks read.
   */
  readonly pipelined?: boolean;
}

export interface Route {
  readonly type: string;
  readonly schema: z.ZodType;
  readonly handler: MessageHandler<unknown>;
  readonly authorize?: AuthorizeHook<unknown>;
  readonly pipelined?: boolean;
}
