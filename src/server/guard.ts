/**
 * The guard: attaches to an http/https server's 'upgrade' event, runs the handshake gate, hands
 * accepted sockets to `ws` (noServer mode), and runs every message through the pipeline.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import { createJwtVerifier, TokenError, type TokenVerifier } from '../auth/jwt.js';
import { MemoryConnectionCounter, MemoryRevocationStore, MemoryTicketStore } from '../auth/memory.js';
import type { IssuedTicket } from '../auth/tickets.js';
import type { ConnectionCounter, Identity, RevocationStore, RevocationTarget, TicketStore } from '../auth/types.js';
import { CloseCode, CloseReason, Envelope } from '../protocol/index.js';
import { Authenticator } from './authenticator.js';
import { builtinRoutes } from './builtins.js';
import { clientIp, compileTrust, type TrustProxy } from './client-ip.js';
import { GuardConnection } from './connection.js';
import type { GuardCore } from './core.js';
import { ConnectionCounts } from './counts.js';
import { Deadlines } from './deadlines.js';
import { TokenBucket } from './token-bucket.js';
import { WsguardConfigError } from '../protocol/failures.js';
import type { SecurityEvent, ViolationReason } from './events.js';
import { acceptingStage } from './gate/accepting.js';
import { authenticateStage } from './gate/authenticate.js';
import { acquireUserSlot, capsStage, userCapStage } from './gate/caps.js';
import { handshakeRateStage } from './gate/handshake-rate.js';
import { hostStage } from './gate/host.js';
import { originStage } from './gate/origin.js';
import { pathStage } from './gate/path.js';
import { writeRefusal } from './gate/refusal.js';
import { requestStage } from './gate/request.js';
import { runGate } from './gate/runner.js';
import { parseProtocols, subprotocolStage } from './gate/subprotocol.js';
import type { GateStage, HandshakeContext } from './gate/types.js';
import { guardLogger, SecurityLog } from './logger.js';
import { createMetrics, type GuardMetrics } from './metrics.js';
import { resolveOptions, type GuardOptions, type ResolvedOptions } from './options.js';
import { authorizeStage } from './pipeline/authorize.js';
import { envelopeStage } from './pipeline/envelope.js';
import { handlerStage } from './pipeline/handler.js';
import { jsonStage } from './pipeline/json.js';
import { rateLimitStage } from './pipeline/rate-limit.js';
import { receive } from './pipeline/runner.js';
import { schemaStage } from './pipeline/schema.js';
import { sessionStage } from './pipeline/session.js';
import { sizeStage } from './pipeline/size.js';
import { textOnlyStage } from './pipeline/text-only.js';
import { pipeline, type PipelineStage } from './pipeline/types.js';
import { capTcpPerIp } from './tcp-cap.js';
import { createTicketHandler, createTicketIssuer, type HttpHandler } from './tickets-http.js';
import type { Connection, MessageHandler, MessageOptions, Route } from './types.js';

export interface GuardEvents {
  security: SecurityEvent;
  /** An authenticated connection is open. */
  connection: Connection;
  /** An authenticated connection has closed. */
  disconnect: { connection: Connection; code: number; reason: string };
  /**
   * `auth.refresh` replaced a connection's identity (same sub, possibly narrower perms): the app
   * re-checks whatever it granted under the previous identity (the hub ends disallowed subscriptions).
   */
  refresh: { connection: Connection; previous: Identity };
}

/** The subprotocol the gate chose for each upgrading request, read by ws's handleProtocols (one source). */
const CHOSEN_PROTOCOL = new WeakMap<IncomingMessage, string>();

const WS_ERROR_REASONS: Record<string, ViolationReason> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 'too_big',
  WS_ERR_INVALID_UTF8: 'invalid_utf8',
};

export class Guard implements GuardCore {
  readonly options: ResolvedOptions;
  readonly logger: Logger;
  readonly metrics: GuardMetrics;
  readonly authenticator: Authenticator;
  private readonly counts = new ConnectionCounts();
  private readonly routes = new Map<string, Route>();
  /** Handshake stages, in order (read-only view; see docs/server.md). */
  readonly gate: readonly GateStage[];
  /** Message stages, in order. */
  readonly pipeline: readonly PipelineStage[];
  /** `POST /api/tickets` handler (the caller routes to it). */
  readonly ticketHandler: HttpHandler;
  private readonly tickets: TicketStore;
  private readonly revocations: RevocationStore;
  private readonly userSlots: ConnectionCounter;
  private readonly owned: { close(): Promise<void> }[] = [];
  private readonly wss: WebSocketServer;
  private readonly emitter = new EventEmitter();
  private readonly live = new Set<GuardConnection>();
  readonly deadlines: Deadlines<GuardConnection>;
  private readonly bySub = new Map<string, Set<GuardConnection>>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly uncapTcp: () => void;
  private readonly securityLog: SecurityLog;
  private readonly issue: (identity: Identity, origin: string | null) => Promise<IssuedTicket>;
  /**
   * Revocations announced to this guard so far (every one passes closeRevoked). A handshake reads it
   * before its gate; unchanged at registration, no revocation was announced in between, so the
   * registration re-check (recheckRevocation) has nothing to catch and is skipped.
   */
  private revocationsAnnounced = 0;
  private closing: Promise<void> | undefined;

  constructor(input: GuardOptions) {
    const o = (this.options = resolveOptions(input));
    let verifier: TokenVerifier | undefined;
    try {
      verifier = o.auth.jwt ? createJwtVerifier(o.auth.jwt) : undefined;
    } catch (err) {
      throw new WsguardConfigError('auth.jwt', (err as Error).message, { cause: err });
    }
    this.logger = guardLogger(o.logger);
    this.securityLog = new SecurityLog(this.logger, o.securityLog);
    this.metrics = createMetrics(o.metrics as Registry | undefined);
    this.deadlines = new Deadlines((err) => this.logger.error({ err: { message: (err as Error)?.message } }, 'connection deadline threw'));
    this.tickets = o.ticketStore ?? this.own(new MemoryTicketStore());
    this.revocations = o.revocationStore ?? this.own(new MemoryRevocationStore());
    this.userSlots = o.connectionCounter ?? this.own(new MemoryConnectionCounter());
    this.authenticator = new Authenticator(verifier, this.revocations, o.authFailures, {
      maxSec: o.auth.maxTokenLifetimeSec,
      toleranceSec: o.auth.jwt?.clockToleranceSec ?? 30,
    });
    const trustProxy = compileTrust(o.trustProxy);

    this.gate = [
      acceptingStage(() => this.closing !== undefined),
      // First real check: a flood from one address is refused by one bucket lookup, before any parsing.
      handshakeRateStage(o.handshakeRate),
      pathStage(o.path),
      requestStage(),
      hostStage(o.hosts, o.origins),
      originStage(o.origins, o.requireOrigin),
      capsStage(this.counts, o.caps),
      authenticateStage({ authenticator: this.authenticator, tickets: this.tickets, cookie: o.auth.cookie, firstMessage: o.auth.firstMessage }),
      userCapStage(this.userSlots, o.caps.perUser),
      subprotocolStage(),
    ];
    // Built through pipeline(): a stage placed before the one that sets what it reads does not compile.
    this.pipeline = pipeline()
      .then(sizeStage(o.maxPayload))
      .then(textOnlyStage())
      .then(jsonStage(o.json))
      .then(envelopeStage())
      .then(rateLimitStage())
      .then(schemaStage(this.routes))
      .then(sessionStage())
      .then(authorizeStage())
      .then(handlerStage()).stages;
    for (const r of builtinRoutes(this)) this.routes.set(r.type, r);

    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: o.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
      skipUTF8Validation: false,
      // Pongs are sent by onWsPing, within the connection's ping budget: a ping flood is cut, not echoed.
      autoPong: false,
      maxFragments: o.maxFragments,
      maxBufferedChunks: o.maxBufferedChunks,
      // The gate's subprotocol stage chose it (ctx.protocol): ws only echoes that choice.
      handleProtocols: (_offered, req) => CHOSEN_PROTOCOL.get(req) ?? false,
    });
    const ticketCaps = { perSubject: o.auth.ticketLimits.maxPerUser, total: o.auth.ticketLimits.maxTotal };
    this.issue = createTicketIssuer({ tickets: this.tickets, ttlMs: o.auth.ticketTtlMs, limits: ticketCaps });
    const ticketsRefused = new Counter({ name: 'wsguard_tickets_refused_total', help: 'POST /api/tickets refusals by reason (rate limits, caps, credentials).', labelNames: ['reason'], registers: [this.metrics.registry] });
    const tickets = this.tickets;
    new Gauge({
      name: 'wsguard_tickets_outstanding',
      help: 'Unredeemed, unexpired tickets (cluster-wide with a shared store); capped by auth.ticketLimits.maxTotal.',
      registers: [this.metrics.registry],
      async collect() {
        const n = await tickets.outstanding?.().catch(() => undefined);
        if (n !== undefined) this.set(n);
      },
    });
    this.ticketHandler = createTicketHandler({
      authenticator: this.authenticator,
      tickets: this.tickets,
      ttlMs: o.auth.ticketTtlMs,
      origins: new Set(o.origins),
      hosts: o.hosts,
      trustProxy,
      limits: o.auth.ticketLimits,
      security: (e) => this.security(e),
      refused: (reason) => ticketsRefused.inc({ reason }),
      onError: (err) => this.logger.error({ err: { message: (err as Error)?.message } }, 'ticket handler threw'),
    });

    o.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.onUpgrade(req, socket, head, trustProxy));
    this.uncapTcp = capTcpPerIp(o.server, {
      perIp: o.caps.tcpPerIp,
      trustProxy,
      refused: (ip) => {
        this.metrics.countHandshake('cap_tcp_ip');
        this.security({ kind: 'handshake_refused', reason: 'cap_tcp_ip', status: 0, ip, stage: 'tcp' });
      },
    });
    this.revocations.onRevoke((target) => this.closeRevoked(target));
    this.heartbeat = setInterval(() => this.tick(), o.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Open connections (authenticated or still within their first-message auth window). */
  get connections(): number {
    return this.live.size;
  }

  get registry(): Registry {
    return this.metrics.registry;
  }

  /**
   * Declares a message type: payloads are validated by `schema` (a top-level z.object is made
   * strict), then `options.authorize`, then `handler`, whose return value is the ack payload.
   */
  message<S extends z.ZodType>(type: string, schema: S, handler: MessageHandler<z.output<S>>, options: MessageOptions<z.output<S>> = {}): this {
    if (!Envelope.shape.type.safeParse(type).success) throw new WsguardConfigError('message.type', 'must match ^[a-z][a-z0-9_.]*$ (at most 32 characters)');
    if (this.routes.has(type)) throw new WsguardConfigError('message.type', `'${type}' is already declared`);
    const strict = schema instanceof z.ZodObject && schema.def.catchall === undefined ? schema.strict() : schema;
    this.routes.set(type, {
      type,
      schema: strict,
      handler: handler as MessageHandler<unknown>,
      ...(options.authorize ? { authorize: options.authorize as Route['authorize'] } : {}),
      ...(options.pipelined ? { pipelined: true } : {}),
    });
    return this;
  }

  on<K extends keyof GuardEvents>(event: K, listener: (arg: GuardEvents[K]) => void): () => void {
    const safe = (arg: GuardEvents[K]) => {
      try {
        listener(arg);
      } catch (err) {
        this.logger.error({ err: { message: (err as Error)?.message }, event }, 'listener threw');
      }
    };
    this.emitter.on(event, safe);
    return () => this.emitter.off(event, safe);
  }

  /** Mints a single-use ticket for `identity`, bound to `origin` (null for non-browser clients). */
  issueTicket(identity: Identity, origin: string | null): Promise<IssuedTicket> {
    return this.issue(identity, origin);
  }

  /** Verifies a bearer JWT (signature, claims, revocation); throws TokenError. For the app's HTTP API. */
  verifyToken(token: string): Promise<Identity> {
    return this.authenticator.verifyToken(token, 'bearer');
  }

  /** Refuses the matching tokens from now on and closes matching live connections (1008 revoked), on every node. */
  async revoke(target: RevocationTarget): Promise<void> {
    await this.revocations.revoke(target, this.authenticator.revocationUntil());
    this.closeRevoked(target); // in case the store does not echo to its own node
  }

  /**
   * Graceful: refuse new handshakes, stop taking messages and let the ones in flight finish (their
   * acks still go out; at most half the deadline), then 1001 `shutdown` to everyone, wait for the
   * closes, and terminate whoever is left at the deadline.
   */
  close(options: { deadlineMs?: number } = {}): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.heartbeat);
      this.uncapTcp();
      const deadline = options.deadlineMs ?? this.options.shutdownDeadlineMs;
      const all = [...this.live];
      for (const c of all) c.draining = true;
      await within(Promise.all(all.map((c) => c.idle())), deadline / 2);
      const closed = all.map((c) => new Promise<void>((resolve) => {
        if (c.ws.readyState === c.ws.CLOSED) resolve();
        else c.ws.once('close', () => resolve());
      }));
      for (const c of all) c.close(CloseCode.GOING_AWAY, CloseReason.SHUTDOWN);
      await within(Promise.all(closed), deadline / 2);
      for (const c of this.live) c.terminate();
      this.deadlines.clear();
      this.wss.close();
      await Promise.all(this.owned.map((s) => s.close()));
      this.securityLog.close();
    })();
    return this.closing;
  }

  security(event: SecurityEvent): void {
    this.metrics.security.inc({ kind: event.kind });
    if (event.kind === 'violation') this.metrics.violations.inc({ reason: event.reason });
    this.securityLog.record(event); // repeats aggregated: one line per source and reason per interval
    this.emitter.emit('security', event);
  }

  async admit(conn: GuardConnection): Promise<boolean> {
    const release = await acquireUserSlot(this.userSlots, conn.identity.sub, this.options.caps.perUser);
    if (conn.closed) release?.();
    if (!release || conn.closed) {
      conn.close(CloseCode.TRY_AGAIN_LATER, CloseReason.TOO_MANY_CONNECTIONS);
      return false;
    }
    (conn.releases ??= []).push(release);
    this.announce(conn);
    return true;
  }

  private own<T extends { close(): Promise<void> }>(store: T): T {
    this.owned.push(store);
    return store;
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, trustProxy: TrustProxy): Promise<void> {
    socket.on('error', destroySocket);
    const ip = clientIp(req, trustProxy);
    if (ip === undefined) {
      // A trusted proxy forwarded garbage: no address to hold limits against, so no handshake.
      this.metrics.countHandshake('bad_forwarded');
      this.security({ kind: 'handshake_refused', reason: 'bad_forwarded', status: 400, ip: 'unknown', stage: 'client-ip' });
      return writeRefusal(socket, { status: 400, reason: 'bad_forwarded' });
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://wsguard.invalid');
    } catch {
      url = new URL('http://wsguard.invalid/\u0000invalid');
    }
    const ctx: HandshakeContext = {
      req,
      url,
      ip,
      origin: req.headers.origin,
      offeredProtocols: parseProtocols(req.headers['sec-websocket-protocol']),
      cleanups: [],
    };
    // Reservations end with the socket, whatever path it takes. The listener must capture only the
    // cleanups: ctx holds the request, URL and raw token, which would otherwise live as long as the socket.
    const releaseAll = releaser(ctx.cleanups);
    socket.on('close', releaseAll); // not once(): its wrapper would be one more allocation per handshake
    // Read before any stage looks a revocation up (see announce).
    const announcedBefore = this.revocationsAnnounced;
    const result = await runGate(this.gate, ctx);
    if (!result.ok) {
      releaseAll();
      const { refusal, stage } = result;
      if (result.error !== undefined) this.logger.error({ err: { message: (result.error as Error)?.message }, stage }, 'gate stage threw');
      this.metrics.countHandshake(refusal.reason);
      this.security({ kind: 'handshake_refused', reason: refusal.reason, status: refusal.status, ip, stage });
      writeRefusal(socket, refusal);
      return;
    }
    if (socket.destroyed) return releaseAll();
    if (this.closing) {
      // Shutdown began while this handshake was being checked.
      releaseAll();
      return writeRefusal(socket, { status: 503, reason: 'shutting_down', headers: { 'Retry-After': '5' } });
    }
    const identity = ctx.identity;
    const cleanups = ctx.cleanups;
    if (ctx.protocol !== undefined) CHOSEN_PROTOCOL.set(req, ctx.protocol);
    // Off before ws adds its own 'close' listener: removed after, it would leave the socket's
    // listener array grown to 19 slots for the connection's lifetime (about 150 bytes each).
    socket.removeListener('close', releaseAll);
    let accepted = false;
    // Synchronous (no verifyClient): ws either calls back now or refuses and destroys the socket.
    try {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        accepted = true;
        // From here the connection's 'close' (which ws always emits) runs the releases, and ws's
        // own socket 'error' listener replaces ours.
        socket.removeListener('error', destroySocket);
        this.accept(ws, socket, ip, identity, cleanups, announcedBefore);
      });
    } finally {
      if (!accepted) releaseAll();
    }
  }

  private accept(ws: WebSocket, socket: Duplex, ip: string, identity: Identity | undefined, cleanups: (() => void)[], announcedBefore: number): void {
    const conn = new GuardConnection(ws, socket, ip, identity, this);
    // A copy sized to its content: the handshake's array grew by push to a 17-slot backing store.
    if (cleanups.length > 0) conn.releases = cleanups.slice();
    this.live.add(conn);
    this.metrics.connections.inc();
    this.metrics.countHandshake('accepted');
    // Shared listeners (no closures per connection): they find the connection on the socket.
    (ws as TaggedWebSocket)[CONN] = conn;
    ws.on('error', onWsError);
    ws.on('pong', onWsPong);
    ws.on('ping', onWsPing);
    ws.on('message', onWsMessage);
    ws.on('close', onWsClose); // ws emits 'close' once; once() would add a wrapper per connection
    if (identity) this.announce(conn, announcedBefore);
    else conn.startAuthDeadline();
  }

  /** @internal The socket of an accepted connection closed (either side). */
  connectionClosed(conn: GuardConnection, code: number, reason: Buffer): void {
    conn.gone();
    this.live.delete(conn);
    this.metrics.connections.dec();
    if (conn.releases) for (const r of conn.releases) r();
    if (conn.authenticated) {
      const set = this.bySub.get(conn.identity.sub);
      set?.delete(conn);
      if (set?.size === 0) this.bySub.delete(conn.identity.sub);
    }
    if (conn.announced) this.emitter.emit('disconnect', { connection: conn, code, reason: reason.toString('utf8') });
  }

  /**
   * Registers an authenticated connection. `announcedBefore` is revocationsAnnounced as read before
   * the revocation lookup that admitted it (the gate's): when no revocation was announced since, that
   * lookup already saw every revocation this node knows of (a store announces a revocation only once
   * it is written), and any later announcement finds the connection registered, so the re-check is
   * skipped. Without it (first-message auth) the re-check always runs.
   */
  private announce(conn: GuardConnection, announcedBefore?: number): void {
    conn.announced = true;
    let set = this.bySub.get(conn.identity.sub);
    if (!set) this.bySub.set(conn.identity.sub, (set = new Set()));
    set.add(conn);
    conn.scheduleExpiry();
    this.emitter.emit('connection', conn);
    if (announcedBefore !== this.revocationsAnnounced) void this.recheckRevocation(conn);
  }

  refreshed(conn: GuardConnection, previous: Identity): void {
    this.emitter.emit('refresh', { connection: conn, previous });
  }

  /**
   * Closes the gap between the gate's revocation check and registration: a revocation announced
   * in between found no live connection to close. Registered first, checked again now: whatever
   * comes later reaches closeRevoked. A store that cannot answer closes it too (fail closed).
   */
  async recheckRevocation(conn: GuardConnection): Promise<void> {
    if (conn.closed || !conn.authenticated) return;
    const identity = conn.identity;
    try {
      await this.authenticator.assertNotRevoked(identity);
    } catch (err) {
      if (conn.closed || conn.identity !== identity) return;
      if (err instanceof TokenError) {
        this.security({ kind: 'revoked', ...conn.ref });
        conn.close(CloseCode.POLICY_VIOLATION, CloseReason.REVOKED);
      } else conn.close(CloseCode.TRY_AGAIN_LATER, CloseReason.AUTH_UNAVAILABLE);
    }
  }

  private closeRevoked(target: RevocationTarget): void {
    this.revocationsAnnounced++;
    const candidates = 'sub' in target ? [...(this.bySub.get(target.sub) ?? [])] : [...this.live].filter((c) => c.authenticated && c.hasJti(target.jti));
    for (const c of candidates) {
      if (c.closed) continue;
      this.security({ kind: 'revoked', ...c.ref });
      c.close(CloseCode.POLICY_VIOLATION, CloseReason.REVOKED);
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const c of this.live) {
      if (c.closed || c.ws.readyState !== c.ws.OPEN) continue;
      if (!c.alive) {
        this.security({ kind: 'heartbeat_timeout', ...c.ref });
        c.terminate();
        continue;
      }
      if (c.isIdle(now, this.options.idleTimeoutMs)) {
        c.close(CloseCode.IDLE_TIMEOUT, CloseReason.IDLE);
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}

const CONN = Symbol('wsguard.connection');
type TaggedWebSocket = WebSocket & { [CONN]: GuardConnection };

function destroySocket(this: Duplex): void {
  this.destroy();
}

function onWsError(this: WebSocket, err: Error & { code?: string }): void {
  const conn = (this as TaggedWebSocket)[CONN];
  conn.core.security({ kind: 'violation', reason: WS_ERROR_REASONS[err.code ?? ''] ?? 'protocol_error', ...conn.ref });
}

function onWsPong(this: WebSocket): void {
  (this as TaggedWebSocket)[CONN].alive = true;
}

/**
 * Answers a client ping within the connection's ping budget (messageRate, a bucket of its own made on
 * the first ping). Past it the ping is not answered and counts as a `ping_flood` violation: a security
 * event, wsguard_violations_total{reason="ping_flood"}, and 1008 once violations pass the threshold.
 */
function onWsPing(this: WebSocket, data: Buffer): void {
  const conn = (this as TaggedWebSocket)[CONN];
  if (conn.closed) return;
  const rate = conn.core.options.messageRate;
  conn.pingBucket ??= new TokenBucket(rate.perSec, rate.burst);
  if (!conn.pingBucket.take()) return conn.violation('ping_flood');
  // Pongs count against the send buffer like any other frame (a flood that never reads cannot pile them up).
  if (this.bufferedAmount + data.length > conn.core.options.sendHighWaterMark) {
    conn.core.security({ kind: 'slow_consumer', bufferedAmount: this.bufferedAmount, ...conn.ref });
    return conn.close(CloseCode.TRY_AGAIN_LATER, CloseReason.SLOW_CONSUMER);
  }
  this.pong(data);
}

function onWsMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const conn = (this as TaggedWebSocket)[CONN];
  receive(conn.core.pipeline, conn.core, conn, toBuffer(data), isBinary);
}

function onWsClose(this: WebSocket, code: number, reason: Buffer): void {
  const conn = (this as TaggedWebSocket)[CONN];
  conn.core.connectionClosed(conn, code, reason);
}

/** Runs every cleanup; a closure over the array alone (see onUpgrade). */
function releaser(cleanups: (() => void)[]): () => void {
  return () => {
    for (const c of cleanups) c();
  };
}

/** Waits for `p`, but no longer than `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** Creates a guard attached to `options.server`. */
export function createGuard(options: GuardOptions): Guard {
  return new Guard(options);
}
