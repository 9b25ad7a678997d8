/**
 * createClient: one logical connection that survives socket drops.
 * Lifecycle: connect -> open (resubscribe, flush queued requests, schedule token refresh) -> closed by the
 * server -> the close code's retry policy (src/protocol/close-codes.ts) decides: stop, back off, reauth, or
 * (idle close) resume only when there is something to resume. A handshake refused with an HTTP status
 * (Node only: browsers hide it) is classified by the status: 401 reauth, 429/5xx back off, else final.
 */
import { closeCodeInfo, CloseCode } from '../protocol/close-codes.js';
import type { FileDeletePayload, FileUploadPayload, ServerMessage } from '../protocol/messages.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { Credentials } from './auth.js';
import { errorInfo, isErrorCode } from '../protocol/errors.js';
import { callApp, ClientError, fromErrorFrame } from './errors.js';
import { Requests, type RequestOptions } from './requests.js';
import { classifyRefusal, watchRefusal, type HandshakeRefusal } from './refusal.js';
import { ChannelSubscription } from './subscriptions.js';
import { Pacer } from './pacer.js';
import { refreshDelay } from './token.js';
import type { Ack, Client, ClientEvents, ClientOptions, ClientState, MessageMap, SubscribeOptions, Subscription, WebSocketConstructor, WebSocketLike } from './types.js';
import { decodeServerFrame } from './wire.js';

const OPEN = 1;

/**
 * Subscribes sent at once on a connection, then per second. Under the hub's default message budget
 * (20/s, burst 40, per connection) with room left for the app's own requests: resubscribing many
 * channels after a reconnect must not trip the server's rate limit, whose refusals count as
 * violations and end in a 1008 close (which would send the client through reauth).
 */
const SUBSCRIBE_BURST = 20;
const SUBSCRIBE_PER_SEC = 10;

/**
 * Publishes in flight and sent per second on a connection. The hub pipelines up to maxPipelined (16)
 * publishes per connection and queues at most maxQueued (64) messages; its message budget is 20/s,
 * burst 40, shared with subscribes (paced above at 10/s, burst 20) and the app's requests. So a bulk
 * upload keeps 8 in flight at 10/s, burst 20 (the two paces together stay within 20/s, burst 40), and
 * waits here in call order, at most maxWaiting, instead of being refused and closed.
 */
const PUBLISH_LIMITS = { maxInFlight: 8, burst: 20, perSec: 10, maxWaiting: 10_000 };

/** Types the client sends itself (subscribe(), unsubscribe(), the token refresh): not for request(). */
const RESERVED = new Set(['subscribe', 'unsubscribe', 'auth.refresh']);

/** `M` maps the app's message types to their payloads (see Client.request). */
export function createClient<M extends MessageMap = MessageMap>(options: ClientOptions): Client<M> {
  return new WsguardClient<M>(options);
}

class WsguardClient<M extends MessageMap> implements Client<M> {
  state: ClientState = 'connecting';
  reconnects = 0;

  private readonly Ctor: WebSocketConstructor;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly requestTimeoutMs: number;
  private readonly refreshBeforeMs: number;
  private readonly maxReauthFailures: number;
  private readonly creds: Credentials;
  private readonly requests = new Requests();
  private readonly publishes = new Pacer(PUBLISH_LIMITS);
  private readonly subs = new Map<string, ChannelSubscription>();
  private readonly listeners: { [K in keyof ClientEvents]: Set<ClientEvents[K]> } = { state: new Set(), error: new Set() };

  private ws: WebSocketLike | undefined;
  /**
   * A working connection was lost and not yet replaced: the next `open` counts as a reconnect. Not set
   * by an idle close (4408) with nothing to resume: waking from idle is a new connection, not a recovery.
   */
  private lost = false;
  /** Consecutive attempts without a working connection: the backoff exponent. */
  private attempt = 0;
  /** Consecutive failures to get credentials the server accepts. */
  private reauthFailures = 0;
  private needFreshCredentials = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing = false;
  /** The HTTP refusal of the current attempt's handshake, when the runtime showed one. */
  private refusal: HandshakeRefusal | undefined;
  /** The current socket got to `open` (a close before that is a failed attempt, not a lost connection). */
  private opened = false;
  /** What the runtime said when the current attempt failed before `open` (Node: ECONNREFUSED...; browsers: nothing). */
  private connectCause: unknown;
  /** Why the last attempt failed, while no connection works: the reason a waiting request's timeout reports. */
  private lastConnectError: ClientError | undefined;
  /** Subscribes waiting for the pacing budget on the current connection, in order (see SUBSCRIBE_BURST). */
  private subQueue: ChannelSubscription[] = [];
  private subTokens = SUBSCRIBE_BURST;
  private subTokensAt = 0;
  private subTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: ClientOptions) {
    const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) throw new TypeError('No global WebSocket (Node < 22): pass the `ws` package\'s WebSocket as options.WebSocket');
    this.Ctor = Ctor;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.random = options.random ?? Math.random;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.refreshBeforeMs = options.refreshBeforeMs ?? 30_000;
    this.maxReauthFailures = options.maxReauthFailures ?? 3;
    this.creds = new Credentials(options.token, options.ticket, this.refreshBeforeMs);
    if (options.onState) this.listeners.state.add(options.onState);
    if (options.onError) this.listeners.error.add(options.onError);
    void this.connect();
  }

  // ---- public API ----

  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void {
    const set = this.listeners[event] as Set<ClientEvents[K]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  subscribe(channel: string, opts: SubscribeOptions): Subscription {
    if (this.state === 'closed') throw new ClientError('closed', 'client is closed', { channel });
    if (this.subs.has(channel)) throw new ClientError('already_subscribed', 'already subscribed to this channel', { channel });
    this.wake();
    const sub = new ChannelSubscription(channel, opts, (s) => {
      if (this.subs.get(channel) !== s) return;
      this.subs.delete(channel);
      const queued = this.subQueue.indexOf(s);
      if (queued >= 0) this.subQueue.splice(queued, 1);
      const waiting = s.retryTimer !== undefined;
      clearTimeout(s.retryTimer);
      s.retryTimer = undefined;
      // Not sent on this connection yet, or refused and waiting to retry: nothing to undo on the server.
      if (queued >= 0 || waiting) return;
      this.send('unsubscribe', { channel }, this.requests.nextId());
    });
    this.subs.set(channel, sub);
    this.sendSubscribe(sub);
    return sub;
  }

  publish(type: 'file_upload', payload: FileUploadPayload): Promise<number>;
  publish(type: 'file_delete', payload: FileDeletePayload): Promise<number>;
  async publish(type: 'file_upload' | 'file_delete', payload: FileUploadPayload | FileDeletePayload): Promise<number> {
    if (this.state === 'closed') throw new ClientError('closed', 'client is closed');
    const release = await this.publishes.acquire();
    let ack: ServerMessage;
    try {
      ack = await this.call(type, payload);
    } finally {
      release();
    }
    if (ack.type !== 'ack' || ack.payload.seq === undefined) throw new ClientError('bad_frame', 'ack without seq');
    return ack.payload.seq;
  }

  async request<K extends keyof M & string>(type: K, payload: M[K], opts: RequestOptions = {}): Promise<Ack> {
    if (RESERVED.has(type)) throw new ClientError('invalid_message', `${type} is sent by the client itself; use subscribe()/unsubscribe()`);
    const ack = await this.call(type, payload, opts);
    if (ack.type !== 'ack') throw new ClientError('bad_frame', `expected an ack to ${type}, got ${ack.type}`);
    return ack.payload;
  }

  async ping(): Promise<number> {
    const started = Date.now();
    await this.call('ping', {});
    return Date.now() - started;
  }

  close(): void {
    if (this.state === 'closed') return;
    const ws = this.ws;
    this.shutdown(new ClientError('closed', 'client closed'));
    ws?.close(CloseCode.NORMAL);
  }

  // ---- connection lifecycle ----

  private async connect(): Promise<void> {
    this.reconnectTimer = undefined;
    let params;
    try {
      params = await this.creds.connectParams(this.options.url, this.needFreshCredentials);
    } catch (cause) {
      if (this.state === 'closed') return;
      this.authFailed(cause);
      return;
    }
    if (this.state === 'closed') return;
    let ws: WebSocketLike;
    try {
      ws = new this.Ctor(params.url, params.protocols);
    } catch (cause) {
      // A malformed URL: retrying cannot fix it.
      this.fail(new ClientError('connection_closed', 'cannot open the WebSocket', { cause }));
      return;
    }
    this.ws = ws;
    this.refusal = undefined;
    this.opened = false;
    this.connectCause = undefined;
    watchRefusal(ws, (r) => {
      if (ws === this.ws) this.refusal = r;
    });
    ws.onopen = () => this.onOpen(ws);
    ws.onmessage = (ev: { data: unknown }) => this.onMessage(ws, ev.data);
    ws.onclose = (ev: { code: number; reason: string }) => this.onClose(ws, ev.code, ev.reason);
    // A close event always follows. Before `open` it is the only place `ws` says why (ECONNREFUSED,
    // ENOTFOUND, TLS); browsers hide the reason. After `open` the close code says enough.
    ws.onerror = (ev: { error?: unknown; message?: unknown }) => {
      if (ws === this.ws && !this.opened) this.connectCause = ev.error ?? (typeof ev.message === 'string' && ev.message !== '' ? ev.message : undefined);
    };
  }

  private onOpen(ws: WebSocketLike): void {
    if (ws !== this.ws) return;
    this.opened = true;
    this.lastConnectError = undefined;
    this.needFreshCredentials = false;
    if (this.lost) this.reconnects += 1;
    this.lost = false;
    this.setState('open');
    // A new connection has a new budget on the server.
    this.subTokens = SUBSCRIBE_BURST;
    this.subTokensAt = Date.now();
    this.publishes.resetBudget();
    for (const sub of this.subs.values()) this.sendSubscribe(sub);
    this.requests.flush((frame) => this.sendRaw(frame));
    this.scheduleRefresh();
  }

  private onClose(ws: WebSocketLike, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    clearTimeout(this.refreshTimer);
    this.clearSubscribeQueue(); // the next open resubscribes every subscription
    for (const sub of this.subs.values()) {
      sub.pendingId = undefined;
      clearTimeout(sub.retryTimer);
      sub.setStatus('pending');
    }
    this.requests.rejectSent(new ClientError('disconnected', 'connection lost before the answer; the outcome is unknown'));
    if (this.state === 'closed') return;
    const refusal = this.refusal;
    this.refusal = undefined;
    if (refusal) {
      this.onRefused(refusal);
      return;
    }
    if (!this.opened) {
      this.onConnectFailed(code);
      return;
    }
    // An open connection lost: 1005/1006 (no code: network failure) and unknown codes back off and retry.
    const policy = closeCodeInfo(code)?.retry ?? 'backoff';
    if (policy === 'resume') {
      // Closed as idle: resume if anything is left to resume, else wait for the app to need us again.
      if (this.subs.size > 0 || this.requests.size > 0) {
        this.lost = true;
        this.scheduleReconnect();
      } else this.setState('idle');
      return;
    }
    this.lost = true;
    if (policy === 'no') {
      this.fail(new ClientError('connection_closed', `server closed the connection (${code})`, { closeCode: code, closeReason: reason }));
      return;
    }
    if (policy === 'reauth') {
      this.reauthFailures += 1;
      if (this.reauthFailures > this.maxReauthFailures) {
        this.fail(new ClientError('auth_failed', 'credentials refused repeatedly', { closeCode: code, closeReason: reason }));
        return;
      }
      this.needFreshCredentials = true;
    }
    this.scheduleReconnect();
  }

  /** The handshake got an HTTP answer instead of 101 (seen in Node only). */
  private onRefused(refusal: HandshakeRefusal): void {
    const verdict = classifyRefusal(refusal);
    if (verdict.kind === 'transient') {
      this.scheduleReconnect(Math.min(refusal.retryAfterMs ?? 0, 60_000));
      return;
    }
    if (verdict.kind === 'final') {
      this.fail(verdict.error);
      return;
    }
    // Refused credentials: loud at once, then fresh credentials, and closed after maxReauthFailures.
    this.reauthFailures += 1;
    if (this.reauthFailures > this.maxReauthFailures) {
      this.fail(verdict.error);
      return;
    }
    this.emit('error', verdict.error);
    this.needFreshCredentials = true;
    this.scheduleReconnect();
  }

  /**
   * The attempt failed before `open` with no HTTP answer to classify: refused or unreachable port,
   * DNS, TLS, or a server that dropped the handshake. Loud (an `error` event per failed attempt, with
   * the runtime's cause when it shows one), then retried with backoff like a lost connection: the
   * server may just be starting. A TLS failure (a `wss://` URL on a plain server, a certificate that
   * does not verify) is final: retrying cannot fix the URL or the certificate, and must not hide them.
   */
  private onConnectFailed(code: number): void {
    const cause = this.connectCause;
    this.connectCause = undefined;
    const detail = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : `closed with ${code} before the handshake completed; the runtime hides why`;
    const err = new ClientError('connect_failed', `cannot connect: ${detail}`, cause === undefined ? {} : { cause });
    this.lastConnectError = err;
    if (isTlsFailure(cause)) return this.fail(err);
    this.emit('error', err);
    this.scheduleReconnect();
  }

  private scheduleReconnect(minDelayMs = 0): void {
    this.setState('reconnecting');
    const delay = Math.max(minDelayMs, backoffDelay(this.attempt, this.backoff, this.random));
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  /**
   * The token/ticket provider threw. Only a provider that says the credentials were refused (it
   * throws ClientError 'auth_failed', e.g. on HTTP 401) counts towards giving up; anything else
   * (the hub is restarting, the network is down) is transient and retried with backoff.
   */
  private authFailed(cause: unknown): void {
    const refused = cause instanceof ClientError && cause.code === 'auth_failed';
    if (refused) this.reauthFailures += 1;
    const err = refused ? cause : new ClientError('auth_failed', 'credential provider failed', { cause });
    if (this.reauthFailures > this.maxReauthFailures) {
      this.fail(err);
      return;
    }
    this.emit('error', err);
    this.needFreshCredentials = true;
    this.scheduleReconnect();
  }

  /** Gives up for good: surfaces the error, rejects everything pending. */
  private fail(err: ClientError): void {
    this.shutdown(err);
    this.emit('error', err);
  }

  private shutdown(err: ClientError): void {
    this.clearSubscribeQueue();
    this.publishes.clear(err);
    for (const sub of this.subs.values()) {
      clearTimeout(sub.retryTimer);
      sub.ended(err);
    }
    this.subs.clear();
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.refreshTimer);
    this.ws = undefined;
    this.requests.rejectSent(err, true);
    this.setState('closed');
  }

  // ---- incoming ----

  private onMessage(ws: WebSocketLike, data: unknown): void {
    if (ws !== this.ws) return;
    const msg = decodeServerFrame(data);
    if (!msg) {
      this.emit('error', new ClientError('bad_frame', 'ignored a frame that is not a protocol v1 message'));
      return;
    }
    if (msg.type !== 'error') {
      // The server is talking to us normally: this connection works, so reset the failure counters.
      this.attempt = 0;
      this.reauthFailures = 0;
    }
    switch (msg.type) {
      case 'event':
        this.onEvent(msg.payload);
        return;
      case 'subscribed': {
        const sub = this.subs.get(msg.payload.channel);
        // Matched by id when the server echoes it; a stale answer to an earlier subscribe is ignored.
        if (sub && (msg.id === undefined || sub.pendingId === undefined || sub.pendingId === msg.id) && sub.subscribed(msg.payload.seq, msg.payload.epoch)) this.sendSubscribe(sub);
        return;
      }
      case 'error':
        if (!this.onSubscribeError(msg) && !this.requests.settle(msg)) this.emit('error', fromErrorFrame(msg.payload));
        return;
      case 'session.expiring':
        void this.refreshToken();
        return;
      case 'unsubscribed': {
        // With a reason the server ended it (a refreshed token no longer allows the channel): reported like a refusal.
        const ended = msg.payload.reason !== undefined ? this.subs.get(msg.payload.channel) : undefined;
        if (!ended) return void this.requests.settle(msg);
        this.subs.delete(ended.channel);
        ended.refused(new ClientError(msg.payload.reason!, 'the server ended the subscription', { channel: ended.channel }));
        return;
      }
      default:
        this.requests.settle(msg);
    }
  }

  private onEvent(event: Extract<ServerMessage, { type: 'event' }>['payload']): void {
    const sub = this.subs.get(event.channel);
    if (!sub) return;
    const verdict = sub.classify(event.seq, event.epoch);
    if (verdict === 'deliver') sub.deliver(event);
    else if (verdict === 'reset') {
      sub.epochChanged(event.epoch!);
      this.sendSubscribe(sub);
    }
    // A gap: fill it by resubscribing from lastSeq, unless a subscribe (whose replay will fill it) is in flight.
    else if (verdict === 'gap' && sub.pendingId === undefined && !this.subQueue.includes(sub)) {
      this.send('unsubscribe', { channel: sub.channel }, this.requests.nextId());
      this.sendSubscribe(sub);
    }
  }

  /** An error answering one of our `subscribe`s; true when it was one. */
  private onSubscribeError(msg: Extract<ServerMessage, { type: 'error' }>): boolean {
    for (const sub of this.subs.values()) {
      if (msg.id === undefined || sub.pendingId !== msg.id) continue;
      sub.pendingId = undefined;
      if (msg.payload.code === 'history_gone') {
        sub.historyGone();
        if (sub.active) this.sendSubscribe(sub);
      } else if (isErrorCode(msg.payload.code) && errorInfo(msg.payload.code).retryable) {
        // Worth asking again later (rate_limited, replay_limited, unavailable, internal): the
        // subscription stays pending and is resent after a backoff delay, never in a tight loop.
        const delay = backoffDelay(sub.retries, this.backoff, this.random);
        sub.retries += 1;
        clearTimeout(sub.retryTimer);
        sub.retryTimer = setTimeout(() => {
          sub.retryTimer = undefined;
          if (this.subs.get(sub.channel) === sub) this.sendSubscribe(sub);
        }, delay);
      } else {
        // Final for this subscription (forbidden, too_many_subscriptions...): the connection and its
        // credentials are fine, so nothing else changes.
        this.subs.delete(sub.channel);
        sub.refused(fromErrorFrame(msg.payload, sub.channel));
      }
      return true;
    }
    return false;
  }

  // ---- outgoing ----

  private sendSubscribe(sub: ChannelSubscription): void {
    if (this.ws?.readyState !== OPEN) return; // onOpen resubscribes everything
    if (this.subQueue.includes(sub)) return;
    if (this.subQueue.length > 0 || !this.takeSubscribeToken()) {
      this.subQueue.push(sub); // in order, behind those already waiting
      this.scheduleSubscribeDrain();
      return;
    }
    this.sendSubscribeNow(sub);
  }

  private sendSubscribeNow(sub: ChannelSubscription): void {
    const id = this.requests.nextId();
    sub.pendingId = id;
    this.send('subscribe', sub.lastSeq === undefined ? { channel: sub.channel } : { channel: sub.channel, since: sub.lastSeq }, id);
  }

  /** A token bucket of SUBSCRIBE_BURST refilled at SUBSCRIBE_PER_SEC: true when a subscribe may go now. */
  private takeSubscribeToken(): boolean {
    const now = Date.now();
    this.subTokens = Math.min(SUBSCRIBE_BURST, this.subTokens + ((now - this.subTokensAt) / 1000) * SUBSCRIBE_PER_SEC);
    this.subTokensAt = now;
    if (this.subTokens < 1) return false;
    this.subTokens -= 1;
    return true;
  }

  private scheduleSubscribeDrain(): void {
    if (this.subTimer !== undefined) return;
    const wait = Math.max(1, Math.ceil(((1 - this.subTokens) / SUBSCRIBE_PER_SEC) * 1000));
    this.subTimer = setTimeout(() => {
      this.subTimer = undefined;
      while (this.subQueue.length > 0 && this.ws?.readyState === OPEN && this.takeSubscribeToken()) {
        const sub = this.subQueue.shift()!;
        if (this.subs.get(sub.channel) === sub) this.sendSubscribeNow(sub);
      }
      if (this.subQueue.length > 0) this.scheduleSubscribeDrain();
    }, wait);
  }

  private clearSubscribeQueue(): void {
    this.subQueue = [];
    clearTimeout(this.subTimer);
    this.subTimer = undefined;
  }

  /**
   * One correlated request. Waits (unsent) for a connection when there is none; once sent it is never
   * resent, unless the caller says it is idempotent (then a drop before the answer sends it again on
   * the next connection, at most `maxRetries` times, within the same timeout).
   */
  private async call(type: string, payload: object, opts: RequestOptions = {}): Promise<ServerMessage> {
    const deadline = Date.now() + (opts.timeoutMs ?? this.requestTimeoutMs);
    for (let attempt = 0; ; attempt++) {
      if (this.state === 'closed') throw new ClientError('closed', 'client is closed');
      this.wake();
      try {
        return await this.requests.track(type, payload, Math.max(1, deadline - Date.now()), (frame) => this.sendRaw(frame), () => this.lastConnectError);
      } catch (err) {
        const again = opts.idempotent === true && err instanceof ClientError && err.code === 'disconnected' && attempt < (opts.maxRetries ?? 3) && Date.now() < deadline;
        if (!again) throw err;
      }
    }
  }

  /**
   * Closed as idle with nothing to resume: the app needs the connection again, so connect now. Nothing
   * was lost, so this is `connecting` (not `reconnecting`) and the open does not count in `reconnects`.
   */
  private wake(): void {
    if (this.state !== 'idle') return;
    this.attempt = 0;
    this.lost = false;
    this.setState('connecting');
    void this.connect();
  }

  private send(type: string, payload: object, id: string): boolean {
    return this.sendRaw(JSON.stringify({ type, id, payload }));
  }

  private sendRaw(frame: string): boolean {
    if (this.ws?.readyState !== OPEN) return false;
    this.ws.send(frame);
    return true;
  }

  // ---- token refresh ----

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    const exp = this.creds.exp;
    if (!this.creds.hasTokenProvider || exp === undefined) return;
    const delay = refreshDelay(exp, this.refreshBeforeMs, Date.now());
    if (delay !== undefined) this.refreshTimer = setTimeout(() => void this.refreshToken(), Math.min(delay, 2 ** 31 - 1));
  }

  /** Gets a new token from the provider and hands it to the server (`auth.refresh`) before the old one expires. */
  private async refreshToken(): Promise<void> {
    if (this.refreshing || !this.creds.hasTokenProvider || this.state === 'closed') return;
    this.refreshing = true;
    try {
      const token = await this.creds.freshToken();
      // Not connected: the next connection uses the new token anyway.
      if (this.ws?.readyState === OPEN) await this.call('auth.refresh', { token });
      this.scheduleRefresh();
    } catch (cause) {
      // Refused or provider failure: the server closes with 1008 at expiry and the reauth path takes over.
      // A drop during the refresh needs no report: the next connection uses the new token.
      if (cause instanceof ClientError && (cause.code === 'disconnected' || cause.code === 'closed')) return;
      this.emit('error', cause instanceof ClientError ? cause : new ClientError('auth_failed', 'token refresh failed', { cause }));
    } finally {
      this.refreshing = false;
    }
  }

  // ---- events ----

  private setState(state: ClientState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  private emit<K extends keyof ClientEvents>(event: K, ...args: Parameters<ClientEvents[K]>): void {
    for (const fn of this.listeners[event]) callApp(fn as (...a: Parameters<ClientEvents[K]>) => void, ...args);
  }
}

/** Node's codes for a TLS handshake that cannot succeed as configured (browsers hide the cause). */
const TLS_CODES = new Set(['EPROTO', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID']);

function isTlsFailure(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_'));
}
