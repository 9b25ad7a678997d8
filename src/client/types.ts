import type { FileDeletePayload, FileEvent, FileUploadPayload } from '../protocol/messages.js';
import type { BackoffOptions } from './backoff.js';
import type { ClientError } from './errors.js';

export type { FileEvent, FileUploadPayload, FileDeletePayload };

/**
 * The part of the WebSocket API the client uses: both the browser's WebSocket and `ws`'s satisfy it.
 * Handler parameters are typed `never` so either implementation's own event types are accepted;
 * the client reads only `data`, `code` and `reason`, which both provide.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: never) => void) | null;
  onmessage: ((ev: never) => void) | null;
  onclose: ((ev: never) => void) | null;
  onerror: ((ev: never) => void) | null;
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/**
 * connecting: an attempt with nothing failed yet (the first one, or waking from idle); open;
 * reconnecting: the connection was lost or the last attempt failed, waiting (backoff) or trying again; idle: the server
 * closed the connection as idle (4408) and nothing needed it (no subscription, no request), so the
 * client connects again on the next subscribe() or request; closed: for good.
 */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'idle' | 'closed';

/** Message types an app registered on the server with guard.message(type, schema, handler), to their payloads. */
export type MessageMap = Record<string, object>;

/** The answer to a request: the handler's return value (`{}` or `{ seq }`). */
export interface Ack {
  seq?: number;
}

export interface ClientOptions {
  /** ws:// or wss:// URL of the endpoint, e.g. wss://hub.example/ws. */
  url: string;
  /** Bearer JWT provider: sent as the `wsguard.bearer.<jwt>` subprotocol. Called again to refresh and to reauth. */
  token?: () => Promise<string> | string;
  /** Single-use ticket provider (POST /api/tickets): called before every connection attempt; sent as `?ticket=`. */
  ticket?: () => Promise<string> | string;
  /** WebSocket implementation; defaults to the global one (browsers, Node >= 22). Node 20: pass `ws`'s WebSocket. */
  WebSocket?: WebSocketConstructor;
  backoff?: Partial<BackoffOptions>;
  /** Refresh the token this long before its `exp` (default 30 s). */
  refreshBeforeMs?: number;
  /** Give up after this many consecutive failures to get accepted credentials (default 3). */
  maxReauthFailures?: number;
  /** Reject a request that got no answer within this time (default 10 s). */
  requestTimeoutMs?: number;
  /** Source of randomness for jitter (tests pass a seeded one). */
  random?: () => number;
  onState?: (state: ClientState) => void;
  /** Connection-level errors: a failed attempt (connect_failed), auth failures, refused refresh, the server closing with a 'no retry' code. */
  onError?: (error: ClientError) => void;
}

export interface HistoryGoneInfo {
  channel: string;
  /** The last seq this subscription delivered (or the `since` it started with). */
  lastSeq: number | undefined;
  /**
   * `history_gone`: the events after lastSeq were removed (retention) or the log no longer reaches lastSeq;
   * delivery goes on from the channel's head. `epoch`: the channel's log was reset (a new epoch): its seqs
   * start again, and delivery goes on from the new log's first event.
   */
  reason: 'history_gone' | 'epoch';
}

/**
 * pending: waiting for a connection or for the server's `subscribed` (after every reconnect too);
 * live: the server confirmed it and events flow; refused: the server said no (see onError);
 * closed: unsubscribed, or the client closed for good.
 */
export type SubscriptionStatus = 'pending' | 'live' | 'refused' | 'closed';

export interface SubscribeOptions {
  /** Last seq the app has already seen; delivery starts after it. Omitted: from the channel's current head. */
  since?: number;
  onEvent: (event: FileEvent) => void;
  /**
   * The server no longer has the events after `lastSeq` (retention): reload the state some other way.
   * The subscription then continues from the channel's current head.
   */
  onHistoryGone?: (info: HistoryGoneInfo) => void;
  /**
   * The server refused the subscription for good (forbidden, too_many_subscriptions, invalid channel...); the
   * subscription is dropped. Retryable refusals (rate_limited, replay_limited, unavailable) are retried with backoff instead.
   */
  onError?: (error: ClientError) => void;
  /** Every change of `status` (for a UI that shows each subscription's true state). */
  onStatus?: (status: SubscriptionStatus) => void;
}

export interface Subscription {
  readonly channel: string;
  /** Last seq delivered to onEvent (or the starting point); the resume point after a reconnect. */
  readonly lastSeq: number | undefined;
  /** Its true state now (see SubscriptionStatus). */
  readonly status: SubscriptionStatus;
  /** Resolves with the channel's head seq at the first `subscribed`, rejects when refused. */
  readonly ready: Promise<number>;
  unsubscribe(): void;
}

export interface ClientEvents {
  state: (state: ClientState) => void;
  error: (error: ClientError) => void;
}

export interface Client<M extends MessageMap = MessageMap> {
  readonly state: ClientState;
  /** How many times the client got connected again after losing a connection. */
  readonly reconnects: number;
  subscribe(channel: string, opts: SubscribeOptions): Subscription;
  /** Resolves with the event's seq once the server has stored it. Never retried by the client (at-most-once). */
  publish(type: 'file_upload', payload: FileUploadPayload): Promise<number>;
  publish(type: 'file_delete', payload: FileDeletePayload): Promise<number>;
  /**
   * Sends a message of a type the app registered with `guard.message(type, schema, handler)` and resolves
   * with the handler's ack; rejects with a ClientError carrying the server's code (`invalid_message`,
   * `forbidden`, `rate_limited`...), or `timeout` / `disconnected` (outcome unknown). Same path as
   * publish(): waits for a connection, refreshes the token, at most once unless `idempotent`.
   */
  request<K extends keyof M & string>(type: K, payload: M[K], opts?: import('./requests.js').RequestOptions): Promise<Ack>;
  /** Application-level ping (browsers cannot send ping frames); resolves with the round-trip time in ms. */
  ping(): Promise<number>;
  /** Closes the connection for good; pending requests reject with `closed`. */
  close(): void;
  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void;
}
