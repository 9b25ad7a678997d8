/**
 * One live WebSocket: sending with backpressure, closing with a grace deadline, violation
 * accounting, and the per-connection timers (auth deadline, token expiry).
 */
import { randomFillSync } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type { Identity } from '../auth/types.js';
import { CloseCode, CloseReason, type ServerMessage } from '../protocol/index.js';
import type { ViolationReason } from './events.js';
import type { GuardCore } from './core.js';
import { TokenBucket } from './token-bucket.js';
import { buildTextFrame } from './text-frame.js';
import type { Connection } from './types.js';

/** setTimeout's ceiling (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

// Connection ids come from a pooled CSPRNG buffer: one randomFillSync per 256 ids instead of a
// randomBytes(16) allocation per connection (same 128 random bits each).
const ID_BYTES = 16;
const idPool = Buffer.alloc(ID_BYTES * 256);
let idOffset = idPool.length;
/** The queue of a connection with nothing in flight (shared: one resolved promise, not one each). */
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

/** Former token ids a refreshed connection remembers for revocation (see setIdentity). */
const MAX_FORMER = 32;

/** What the connection's one timer is for. */
type Due = 'auth-deadline' | 'expiry-notice' | 'expiry';

function onTimer(conn: GuardConnection): void {
  conn.fire();
}

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
  readonly id = newId();
  readonly bucket: TokenBucket;
  /** Serializes message handling: one message at a time, in arrival order. */
  queue: Promise<void> = SETTLED;
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
  // Allocated on first use: most connections never need them (idle memory per connection counts).
  private _state: Map<string, unknown> | undefined;
  private violationTimes: number[] | undefined;
  /** The one pending timer (auth deadline, then expiry notice, then expiry): they never overlap. */
  private pending: NodeJS.Timeout | undefined;
  private dueAt = 0;
  private due: Due = 'auth-deadline';
  /** Tokens this session was refreshed from (see setIdentity); allocated on first refresh. */
  private formerTokens: { jti: string; exp?: number }[] | undefined;
  /** Run once when the socket is gone (cap releases); allocated on first use. */
  releases: (() => void)[] | undefined;

  private corked = false;

  constructor(readonly ws: WebSocket, private readonly socket: Duplex, readonly ip: string, identity: Identity | undefined, readonly core: GuardCore) {
    this._identity = identity;
    this.bucket = new TokenBucket(core.options.messageRate.perSec, core.options.messageRate.burst);
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
    if (!this.admit(typeof serialized === 'string' ? Buffer.byteLength(serialized) : serialized.length)) return false;
    if (typeof serialized === 'string') this.ws.send(serialized);
    // Fan-out: the whole text frame is built once per payload and written as is to every socket.
    // Safe beside ws's own writes because perMessageDeflate is off (guard.ts): ws writes each
    // frame synchronously and never holds one back, so frames interleave only at boundaries.
    else this.socket.write(textFrame(serialized));
    this.lastActivity = Date.now();
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
    this.lastActivity = Date.now();
    return true;
  }

  /** Open, and `bytes` more fit under the high-water mark; otherwise a slow consumer is closed with 1013. */
  private admit(bytes: number): boolean {
    if (this._closed || this.ws.readyState !== this.ws.OPEN) return false;
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
   * pending timer; one timer per connection, the notice re-arming it for the expiry.
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

  /** @internal The pending timer fired (see onTimer). */
  fire(): void {
    this.pending = undefined;
    if (Date.now() < this.dueAt) return this.arm(); // a long wait, re-armed in steps
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

  /** Schedules `due` at `when` (epoch ms), replacing the pending timer. */
  private at(when: number, due: Due): void {
    this.dueAt = when;
    this.due = due;
    this.arm();
  }

  private arm(): void {
    if (this.pending !== undefined) clearTimeout(this.pending);
    // No closure per connection: the shared callback gets the connection as its argument.
    this.pending = setTimeout(onTimer, Math.min(Math.max(0, this.dueAt - Date.now()), MAX_TIMER_MS), this);
  }

  clearTimers(): void {
    if (this.pending !== undefined) clearTimeout(this.pending);
    this.pending = undefined;
  }
}
