/**
 * Every guard option and its default, in one place. Validated with zod; a bad option throws
 * WsguardConfigError naming the key. Times are milliseconds unless the name says otherwise.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { DEFAULT_JSON_LIMITS } from '../protocol/index.js';
import { MIN_SECRET_BYTES, secretBytes } from '../auth/jwt.js';
import type { ConnectionCounter, Identity, RevocationStore, TicketStore } from '../auth/types.js';
import { WsguardConfigError } from '../protocol/failures.js';
import { isTrustEntry } from './client-ip.js';

/** App hook for session cookies: return the identity, or undefined to refuse. */
export type CookieAuth = (req: IncomingMessage) => Promise<Omit<Identity, 'method'> | undefined> | Omit<Identity, 'method'> | undefined;

export const DEFAULTS = {
  /** WebSocket path; other paths get 400 before any upgrade. */
  path: '/ws',
  /** Exact browser origins allowed (scheme://host[:port]). Empty = every browser Origin refused. `null` is never allowed. */
  origins: [] as string[],
  /** Allowed Host header values (`host` or `host:port`). Unset: the hosts of `origins`, plus localhost/127.0.0.1/[::1] on the listening port. */
  hosts: undefined as string[] | undefined,
  /** Refuse handshakes without Origin: 'always', 'when-cookies' (ambient credentials present) or 'never'. */
  requireOrigin: 'when-cookies' as 'always' | 'when-cookies' | 'never',
  /** Proxy addresses or CIDR ranges whose X-Forwarded-For is believed (proxy-addr); a hop that is not an address is refused with 400. */
  trustProxy: [] as string[],
  /** Largest message in bytes (close 1009 past it). */
  maxPayload: 64 * 1024,
  /** ws frame-parser bounds: fragments per message and buffered chunks (ws defaults are 16384 / 262144). */
  maxFragments: 1024,
  maxBufferedChunks: 4096,
  /** Per-IP handshake token bucket. */
  handshakeRate: { perSec: 5, burst: 20 },
  /** Per-IP failed-authentication bucket (refill per minute): brute force over handshakes gets 429. */
  authFailures: { perMin: 30, burst: 10 },
  /**
   * Concurrent connection caps (handshakes in flight count). `tcpPerIp` caps open TCP connections per
   * address before any HTTP is read (a trusted proxy's address is exempt; 0 = off).
   */
  caps: { global: 10_000, perIp: 50, perUser: 10, tcpPerIp: 256 },
  auth: {
    /** JWT verification (see src/auth/jwt.ts): { secret } | { publicKey } | { jwksUrl } | { jwks }, plus issuer/audience. */
    jwt: undefined as import('../auth/jwt.js').JwtConfig | undefined,
    /** Session-cookie hook; only allowed with a non-empty `origins`. */
    cookie: undefined as CookieAuth | undefined,
    /** Allow upgrading without credentials and authenticating by a first `auth.refresh` message within `authTimeoutMs`. */
    firstMessage: false,
    /** Ticket lifetime. */
    ticketTtlMs: 30_000,
    /**
     * `POST /api/tickets` limits: minting rate per client IP and per subject (per minute, burst the same), and
     * caps on unredeemed tickets per subject (429) and in total (503), cluster-wide with a shared store.
     */
    ticketLimits: { perIpPerMin: 60, perUserPerMin: 30, maxPerUser: 20, maxTotal: 10_000 },
    /**
     * Longest token lifetime accepted (exp − iat; JWTs without iat are refused); longer ones are refused
     * as invalid_token. Revocations are kept this long (plus twice the clock tolerance), so no token outlives its revocation.
     */
    maxTokenLifetimeSec: 24 * 3600,
  },
  /** Close (4401) a first-message-auth connection that has not authenticated by then. */
  authTimeoutMs: 5_000,
  /** Ping interval (Socket.IO's too; within the auditor's 25 s heartbeat window); a connection that has not answered the previous ping is terminated. */
  heartbeatMs: 25_000,
  /** Close (4408 idle_timeout) after this long with no hold (subscription) and no message in either direction. 0 disables. */
  idleTimeoutMs: 10 * 60_000,
  /** Send `session.expiring` this long before the token's exp. */
  expiringNoticeMs: 60_000,
  /** After a close frame, terminate the socket if the peer has not completed the close by then. */
  closeGraceMs: 5_000,
  /** Per-connection send buffer high-water mark in bytes (close 1013 slow_consumer past it). */
  sendHighWaterMark: 1024 * 1024,
  /** Per-connection message token bucket. */
  messageRate: { perSec: 20, burst: 40 },
  /** Close 1008 when more than `threshold` violations happen within `windowMs`. */
  violations: { threshold: 10, windowMs: 60_000 },
  /** Bounds for the JSON parser (src/protocol/json.ts). */
  json: { ...DEFAULT_JSON_LIMITS },
  /** Messages waiting for a handler, per connection; past it they are refused with rate_limited. */
  maxQueued: 64,
  /** Pipelined messages (publishes) of one connection in flight at once; the next waits for them to be answered. */
  maxPipelined: 16,
  /** guard.close() default deadline. */
  shutdownDeadlineMs: 10_000,
  /** Injected stores (cluster mode passes Redis ones); default: memory. */
  ticketStore: undefined as TicketStore | undefined,
  revocationStore: undefined as RevocationStore | undefined,
  /** Per-user connection slots (cluster mode passes a Redis one so caps.perUser holds cluster-wide); default: memory. */
  connectionCounter: undefined as ConnectionCounter | undefined,
  /** pino logger; default pino at 'info' to stdout, with secrets redacted. */
  logger: undefined as Logger | undefined,
  /** Security-event log lines: repeats of one kind and reason from one address are one line per interval, with a count. */
  securityLog: { intervalMs: 60_000, maxSources: 1000 },
  /** prom-client registry; default a new one per guard. */
  metrics: undefined as Registry | undefined,
} as const;

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { message: `must be a ${what} function` });
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().min(0);
const bucket = (d: { perSec: number; burst: number }) =>
  z.strictObject({ perSec: z.number().positive().default(d.perSec), burst: positiveInt.default(d.burst) }).default(d);

const originEntry = z.string().refine((o) => {
  try {
    return new URL(o).origin === o && o !== 'null';
  } catch {
    return false;
  }
}, { message: 'must be an exact origin like https://app.example (scheme://host[:port], no path, no trailing slash)' });

const JwtSchema = z.strictObject({
  secret: z.union([z.string(), z.instanceof(Uint8Array)]).refine((s) => secretBytes(s).byteLength >= MIN_SECRET_BYTES, {
    message: `must be at least ${MIN_SECRET_BYTES} bytes`,
  }).optional(),
  publicKey: z.string().optional(),
  jwksUrl: z.url({ protocol: /^https$/ }).optional(),
  jwks: z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
  algorithms: z.array(z.enum(['RS256', 'ES256', 'EdDSA'])).min(1).optional(),
  issuer: z.string().min(1).optional(),
  audience: z.string().min(1).optional(),
  clockToleranceSec: z.number().min(0).max(300).default(30),
}).refine((j) => [j.secret, j.publicKey, j.jwksUrl, j.jwks].filter((v) => v !== undefined).length === 1, {
  message: 'set exactly one of secret, publicKey, jwksUrl, jwks',
});

export const OptionsSchema = z.strictObject({
  server: z.custom<HttpServer | HttpsServer>((v) => v instanceof EventEmitter, { message: 'must be an http or https server' }),
  path: z.string().startsWith('/').max(256).default(DEFAULTS.path),
  origins: z.array(originEntry).default(DEFAULTS.origins),
  hosts: z.array(z.string().min(1).max(260).regex(/^[A-Za-z0-9.\-[\]:]+$/)).optional(),
  requireOrigin: z.enum(['always', 'when-cookies', 'never']).default(DEFAULTS.requireOrigin),
  trustProxy: z.array(z.string().refine(isTrustEntry, { message: 'must be an IP address or CIDR range' })).default(DEFAULTS.trustProxy),
  maxPayload: positiveInt.max(16 * 1024 * 1024).default(DEFAULTS.maxPayload),
  maxFragments: positiveInt.default(DEFAULTS.maxFragments),
  maxBufferedChunks: positiveInt.default(DEFAULTS.maxBufferedChunks),
  handshakeRate: bucket(DEFAULTS.handshakeRate),
  authFailures: z.strictObject({ perMin: z.number().positive().default(DEFAULTS.authFailures.perMin), burst: positiveInt.default(DEFAULTS.authFailures.burst) }).default(DEFAULTS.authFailures),
  caps: z.strictObject({
    global: positiveInt.default(DEFAULTS.caps.global),
    perIp: positiveInt.default(DEFAULTS.caps.perIp),
    perUser: positiveInt.default(DEFAULTS.caps.perUser),
    tcpPerIp: z.number().int().min(0).default(DEFAULTS.caps.tcpPerIp),
  }).default(DEFAULTS.caps),
  auth: z.strictObject({
    jwt: JwtSchema.optional(),
    cookie: fn<CookieAuth>('cookie auth').optional(),
    firstMessage: z.boolean().default(DEFAULTS.auth.firstMessage),
    ticketTtlMs: positiveInt.max(300_000).default(DEFAULTS.auth.ticketTtlMs),
    ticketLimits: z.strictObject({
      perIpPerMin: z.number().positive().default(DEFAULTS.auth.ticketLimits.perIpPerMin),
      perUserPerMin: z.number().positive().default(DEFAULTS.auth.ticketLimits.perUserPerMin),
      maxPerUser: positiveInt.default(DEFAULTS.auth.ticketLimits.maxPerUser),
      maxTotal: positiveInt.default(DEFAULTS.auth.ticketLimits.maxTotal),
    }).default(DEFAULTS.auth.ticketLimits),
    maxTokenLifetimeSec: positiveInt.default(DEFAULTS.auth.maxTokenLifetimeSec),
  }),
  authTimeoutMs: positiveInt.default(DEFAULTS.authTimeoutMs),
  heartbeatMs: positiveInt.default(DEFAULTS.heartbeatMs),
  idleTimeoutMs: nonNegativeInt.default(DEFAULTS.idleTimeoutMs),
  expiringNoticeMs: nonNegativeInt.default(DEFAULTS.expiringNoticeMs),
  closeGraceMs: positiveInt.default(DEFAULTS.closeGraceMs),
  sendHighWaterMark: positiveInt.default(DEFAULTS.sendHighWaterMark),
  messageRate: bucket(DEFAULTS.messageRate),
  violations: z.strictObject({
    threshold: positiveInt.default(DEFAULTS.violations.threshold),
    windowMs: positiveInt.default(DEFAULTS.violations.windowMs),
  }).default(DEFAULTS.violations),
  json: z.strictObject({
    maxDepth: positiveInt.max(64).default(DEFAULTS.json.maxDepth),
    maxKeys: positiveInt.default(DEFAULTS.json.maxKeys),
    maxArrayLength: positiveInt.default(DEFAULTS.json.maxArrayLength),
    maxStringLength: positiveInt.default(DEFAULTS.json.maxStringLength),
  }).default(DEFAULTS.json),
  maxQueued: positiveInt.default(DEFAULTS.maxQueued),
  maxPipelined: positiveInt.default(DEFAULTS.maxPipelined),
  shutdownDeadlineMs: positiveInt.default(DEFAULTS.shutdownDeadlineMs),
  ticketStore: z.custom<TicketStore>((v) => typeof (v as TicketStore | null)?.take === 'function', { message: 'must implement TicketStore' }).optional(),
  revocationStore: z.custom<RevocationStore>((v) => typeof (v as RevocationStore | null)?.isRevoked === 'function', { message: 'must implement RevocationStore' }).optional(),
  connectionCounter: z.custom<ConnectionCounter>((v) => typeof (v as ConnectionCounter | null)?.acquire === 'function', { message: 'must implement ConnectionCounter' }).optional(),
  securityLog: z.strictObject({
    intervalMs: positiveInt.default(DEFAULTS.securityLog.intervalMs),
    maxSources: positiveInt.default(DEFAULTS.securityLog.maxSources),
  }).default(DEFAULTS.securityLog),
  logger: z.custom<Logger>((v) => typeof (v as Logger | null)?.child === 'function', { message: 'must be a pino logger' }).optional(),
  metrics: z.instanceof(Registry).optional(),
});

export type GuardOptions = z.input<typeof OptionsSchema>;
export type ResolvedOptions = z.output<typeof OptionsSchema>;

/** Validates options and cross-option rules; throws WsguardConfigError naming the first bad key. */
export function resolveOptions(input: unknown): ResolvedOptions {
  const parsed = OptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') path.push(issue.keys[0] ?? '');
    throw new WsguardConfigError(path.join('.') || 'options', issue.code === 'unrecognized_keys' ? 'unknown option' : issue.message);
  }
  const o = parsed.data;
  if (!o.auth.jwt && !o.auth.cookie) throw new WsguardConfigError('auth', 'configure auth.jwt and/or auth.cookie (wsguard has no anonymous mode)');
  if (o.auth.cookie && o.origins.length === 0) throw new WsguardConfigError('auth.cookie', 'cookie auth needs a non-empty origins allowlist');
  if (o.auth.cookie && o.requireOrigin === 'never') throw new WsguardConfigError('requireOrigin', "must not be 'never' with cookie auth");
  return o;
}
