/**
 * One live WebSocket: sending with backpressure, closing with a grace deadline, violation
 * accounting, and the per-connection deadlines (auth deadline, token expiry) on the guard's shared queue.
 */
import { randomFillSync } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type { Identity } from '../auth/types.js';
import { CloseCode, CloseReason, type ServerMessage } from '../protocol/index.js';
import type { ViolationReason } from './events.js';
import type { GuardCore } from './core.js';
import type { ConnectionQueue } from './pipeline/queue.js';
import { TokenBucket } from './token-bucket.js';
import { buildTextFrame } from './text-frame.js';
import type { Connection } from './types.js';

// Connection ids come from a pooled CSPRNG buffer: one randomFillSync per 256 ids instead of a
// randomBytes(16) allocation per connection (same 128 random bits each).
const ID_BYTES = 16;
const idPool = Buffer.alloc(ID_BYTES * 256);
let idOffset = idPool.length;
/** idle() of a connection with nothing in flight (shared: one resolved promise, not one each). */
const SETTLED: Promise<void> = Promise.resolve();

// The frame of the last Buffer payload sent: the same Buffer object goes to every subscriber of an
// event in a row, so this is a pointer check. Callers never mutate a Buffer once handed over.
let lastPayload: Buffer | undefined;
let lastFrame: Buffer = Buffer.alloc(0);

function textFrame(payload: Buffer): Buffer {
  if (payload !== lastPayload) {
    lastPayload = payload;
    lastFrame = buildTextFrame(payload);
  }
  return lastFrame;
}

// The same for a batch of payloads (ChannelFeed.flush hands one array to every subscriber): the
// frames are built and concatenated once, and each socket gets one write.
let lastBatch: readonly Buffer[] | undefined;
let lastBatchFrame: Buffer = Buffer.alloc(0);

function batchFrame(payloads: readonly Buffer[]): Buffer {
  if (payloads !== lastBatch) {
    lastBatch = payloads;
    lastBatchFrame = Buffer.concat(payloads.map((p) => buildTextFrame(p)));
  }
  return lastBatchFrame;
}

/** WebSocket.OPEN (a constant, read without the prototype getter on every fan-out write). */
const OPEN = 1;

/**
 * The clock of outgoing activity, read once per tick: a fan-out writes to every subscriber in one
 * synchronous loop, and `Date.now()` costs about 0.1 µs per call on the 2-core bench machine (1% of
 * a delivery). Within one tick every send is stamped with the tick's first reading, so
 * `lastActivity` is at most one tick old; the idle timeout is measured in seconds.
 */
let tickNow = 0;
let tickNowSet = false;
function resetTickNow(): void {
  tickNowSet = false;
}
function sendClock(): number {
  if (!tickNowSet) {
    tickNow = Date.now();
    tickNowSet = true;
    process.nextTick(resetTickNow);
  }
  return tickNow;
}

/** Former token ids a refreshed connection remembers for revocation (see setIdentity). */
const MAX_FORMER = 32;

/** What the connection's one timer is for. */
type Due = 'auth-deadline' | 'expiry-notice' | 'expiry';

function uncork(conn: GuardConnection): void {
  conn.flush();
}

function newId(): string {
  if (idOffset >= idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const id = idPool.toString('base64url', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return id;
}

export class GuardConnection implements Connection {
  // Allocated on first use: most connections never need them (idle memory per connection counts).
  private _id: string | undefined;
  private _bucket: TokenBucket | undefined;
  /** Message order (pipeline/queue.ts), made when a message first goes asynchronous. */
  messages: ConnectionQueue | undefined;
  /** Messages received and not yet answered (running, pipelined or waiting); at most maxQueued. */
  queued = 0;
  /** Announced to the app ('connection' event): authenticated and counted per user. */
  announced = false;
  /**
   * Shutting down: new messages are ignored. The client SDK never re-sends them: a request in flight
   * rejects `disconnected` (retryable) and retrying is the app's choice (docs/client.md, requests.ts).
   */
  draining = false;
  /** Budget for the client's ping frames (see onWsPing in guard.ts); made on the first ping. */
  pingBucket: TokenBucket | undefined;
  /** Answered the last heartbeat ping. */
  alive = true;
  lastActivity = Date.now();
  /** Open holds (hold()): while any is open the connection is in use, never idle. */
  holds = 0;
  private _identity: Identity | undefined;
  private _closed = false;
  private _state: Map<string, unknown> | undefined;
  private violationTimes: number[] | undefined;
  /**
   * The one pending deadline (auth deadline, then expiry notice, then expiry: they never overlap),
   * kept in the guard's shared queue (deadlines.ts), not a timer of its own.
   */
  dueAt = 0;
  /** @internal Position in the shared deadline queue (-1: nothing scheduled). */
  heapIndex = -1;
  private due: Due = 'auth-deadline';
  /** Tokens this session was refreshed from (see setIdentity); allocated on first refresh. */
  private formerTokens: { jti: string; exp?: number }[] | undefined;
  /** Run once when the socket is gone (cap releases); allocated on first use. */
  releases: (() => void)[] | undefined;

  private corked = false;

  constructor(readonly ws: WebSocket, private readonly socket: Duplex, readonly ip: string, identity: Identity | undefined, readonly core: GuardCore) {
    this._identity = identity;
  }

  /** Settles once every message received so far has been answered. */
  idle(): Promise<void> {
    return this.queued === 0 || this.messages === undefined ? SETTLED : this.messages.whenIdle(this.queued);
  }

  /** Random 128-bit id, drawn when first asked for (most idle connections never are). */
  get id(): string {
    return (this._id ??= newId());
  }

  /** The message rate bucket, made on the first message. */
  get bucket(): TokenBucket {
    // A bucket never charged is full at any time, so making it late (last refill at 0) admits
    // exactly what one made at accept would have.
    return (this._bucket ??= new TokenBucket(this.core.options.messageRate.perSec, this.core.options.messageRate.burst, 0));
  }

  get state(): Map<string, unknown> {
    return (this._state ??= new Map());
  }

  get identity(): Identity {
    // Handlers and app hooks only ever see authenticated connections.
    return this._identity!;
  }

  get authenticated(): boolean {
    return this._identity !== undefined;
  }

  get closed(): boolean {
    return this._closed;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** For events: who this is, without anything secret. */
  get ref(): { connectionId: string; ip: string; sub?: string } {
    return this._identity ? { connectionId: this.id, ip: this.ip, sub: this._identity.sub } : { connectionId: this.id, ip: this.ip };
  }

  setIdentity(identity: Identity): void {
    const previous = this._identity;
    // A refreshed session still answers for the tokens it was opened with: revoking any of them
    // (while unexpired) closes it. Bounded: expired ones are forgotten, at most MAX_FORMER kept.
    if (previous?.jti !== undefined && previous.jti !== identity.jti) {
      const now = Date.now() / 1000;
      const kept = (this.formerTokens ?? []).filter((t) => t.exp === undefined || t.exp > now);
      kept.push({ jti: previous.jti, ...(previous.exp !== undefined ? { exp: previous.exp } : {}) });
      this.formerTokens = kept.slice(-MAX_FORMER);
    }
    this._identity = identity;
    this.scheduleExpiry();
  }

  /** True when this connection's token, or one it was refreshed from, has this jti. */
  hasJti(jti: string): boolean {
    return this._identity?.jti === jti || (this.formerTokens?.some((t) => t.jti === jti) ?? false);
  }

  send(message: ServerMessage): boolean {
    return this.sendRaw(JSON.stringify(message));
  }

  sendRaw(serialized: string | Buffer): boolean {
    if (typeof serialized === 'string') {
      if (!this.admit(Buffer.byteLength(serialized))) return false;
      this.ws.send(serialized);
    } else {
      // Fan-out (once per subscriber per event, so kept short: the profile showed this path's
      // calls, not the frame, as what wsguard pays above a bare write): the whole text frame is
      // built once per payload and written as is to every socket. Safe beside ws's own writes
      // because perMessageDeflate is off (guard.ts): ws writes each frame synchronously and never
      // holds one back, so frames interleave only at boundaries.
      if (!this.admit(serialized.length)) return false;
      this.socket.write(textFrame(serialized));
    }
    this.touch();
    return true;
  }

  /**
   * Sends several UTF-8 JSON payloads as consecutive text frames in ONE socket write (fan-out of
   * the events a feed emitted in one tick): per subscriber the syscall, not the frame, is the
   * cost. Same backpressure rule as sendRaw, on the batch's total. The array and its Buffers must
   * not be mutated once handed over (the concatenation is shared by every recipient of the batch).
   */
  sendFrames(payloads: readonly Buffer[]): boolean {
    let bytes = 0;
    for (const p of payloads) bytes += p.length;
    if (!this.admit(bytes)) return false;
    // Same reasoning as sendRaw's Buffer path: no deflate, so ws never holds a frame back.
    this.socket.write(batchFrame(payloads));
    this.touch();
    return true;
  }

  /** Outgoing activity (never moves lastActivity back: a message received later in the tick may have set it). */
  private touch(): void {
    const t = sendClock();
    if (t > this.lastActivity) this.lastActivity = t;
  }

  /** Open, and `bytes` more fit under the high-water mark; otherwise a slow consumer is closed with 1013. */
  private admit(bytes: number): boolean {
    if (this._closed || this.ws.readyState !== OPEN) return false;
    const buffered = this.ws.bufferedAmount;
    if (buffered + bytes > this.core.options.sendHighWaterMark) {
      this.core.security({ kind: 'slow_consumer', bufferedAmount: buffered, ...this.ref });
      this.close(CloseCode.TRY_AGAIN_LATER, CloseReason.SLOW_CONSUMER);
      return false;
    }
    return true;
  }

  /**
   * Holds this socket's writes until the current tick ends, so the replies to a burst of messages
   * read at once go out in one writev instead of one syscall each (no added latency: the flush is
   * a nextTick away).
   */
  cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(uncork, this);
  }

  /** @internal (nextTick target) */
  flush(): void {
    this.corked = false;
    this.socket.uncork();
  }

  close(code: number, reason: string): void {
    if (this._closed) return;
    this._closed = true;
    this.clearTimers();
    this.ws.close(code, reason);
    // A peer that never answers the close (or never reads) is cut off.
    const t = setTimeout(() => this.ws.terminate(), this.core.options.closeGraceMs);
    t.unref();
  }

  /** The socket is gone (either side closed it). */
  gone(): void {
    this._closed = true;
    this.clearTimers();
  }

  terminate(): void {
    this._closed = true;
    this.clearTimers();
    this.ws.terminate();
  }

  /**
   * Marks the connection as in use until the returned release runs (the hub holds one per live
   * subscription): a quiet subscriber waits for events, it is not idle. Heartbeats still catch
   * half-open sockets. The release is idempotent.
   */
  hold(): () => void {
    this.holds += 1;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.holds -= 1;
    };
  }

  /** Idle: no hold, and no message either way for `timeoutMs` (0 = never idle). */
  isIdle(now: number, timeoutMs: number): boolean {
    return timeoutMs > 0 && this.holds === 0 && now - this.lastActivity > timeoutMs;
  }

  /** Counts a violation; past the threshold within the window, closes with 1008. */
  violation(reason: ViolationReason, type?: string): void {
    this.core.security({ kind: 'violation', reason, ...(type !== undefined ? { type } : {}), ...this.ref });
    const now = Date.now();
    const { threshold, windowMs } = this.core.options.violations;
    const times = (this.violationTimes ??= []);
    times.push(now);
    while (times.length > 0 && times[0]! <= now - windowMs) times.shift();
    if (times.length > threshold && !this._closed) {
      this.core.security({ kind: 'violations_exceeded', reason, ...this.ref });
      this.close(CloseCode.POLICY_VIOLATION, reason === 'rate_limited' || reason === 'queue_full' || reason === 'ping_flood' ? CloseReason.RATE_LIMITED : CloseReason.VIOLATIONS);
    }
  }

  /** First-message auth: close with 4401 unless authenticated in time. */
  startAuthDeadline(): void {
    this.at(Date.now() + this.core.options.authTimeoutMs, 'auth-deadline');
  }

  /**
   * `session.expiring` shortly before exp, close 1008 token_expired at exp. A refresh replaces the
   * pending deadline; one deadline per connection, the notice re-arming it for the expiry.
   */
  scheduleExpiry(): void {
    const exp = this._identity?.exp;
    if (exp === undefined) {
      this.clearTimers(); // a refresh without exp ends the previous token's schedule
      return;
    }
    const expMs = exp * 1000;
    if (expMs > Date.now()) this.at(expMs - this.core.options.expiringNoticeMs, 'expiry-notice');
    else this.at(expMs, 'expiry');
  }

  /** @internal The pending deadline is due (called by the guard's deadline queue). */
  fire(): void {
    switch (this.due) {
      case 'auth-deadline':
        if (this.authenticated) return;
        this.core.security({ kind: 'auth_timeout', ...this.ref });
        this.close(CloseCode.UNAUTHENTICATED, CloseReason.AUTH_TIMEOUT);
        return;
      case 'expiry-notice': {
        const exp = this._identity?.exp;
        if (exp === undefined) return;
        this.send({ type: 'session.expiring', payload: { exp } });
        this.at(exp * 1000, 'expiry');
        return;
      }
      case 'expiry':
        this.core.security({ kind: 'auth_expired', ...this.ref });
        this.close(CloseCode.POLICY_VIOLATION, CloseReason.TOKEN_EXPIRED);
        return;
    }
  }

  /** Schedules `due` at `when` (epoch ms), replacing the pending deadline. */
  private at(when: number, due: Due): void {
    // A refresh that completes after the close must not keep the connection queued until its exp.
    if (this._closed) return;
    this.due = due;
    this.core.deadlines.schedule(this, when);
  }

  clearTimers(): void {
    this.core.deadlines.cancel(this);
  }
}
