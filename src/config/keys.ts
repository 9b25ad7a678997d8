/**
 * Every configuration key of `wsguard serve`, as data: one row per key with its environment
 * variable, its config-file key, its parser and its default. docs/configuration.md is checked
 * against this table by a test, so the two cannot drift.
 */
import { createSecureContext } from 'node:tls';
import { z } from 'zod';
import proxyaddr from 'proxy-addr';

/** What the guard's trustProxy accepts (an address or a CIDR range): proxy-addr's own parser decides. */
function isTrustEntry(entry: string): boolean {
  try {
    proxyaddr.compile(entry);
    return true;
  } catch {
    return false;
  }
}

const csv = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));
const origin = z.string().refine((o) => {
  try {
    const u = new URL(o);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
  } catch {
    return false;
  }
}, 'an exact origin like https://app.example.com (scheme, host, optional port; no path or trailing slash)');
const port = z.string().regex(/^\d{1,5}$/, 'a port number (0-65535)').transform(Number).refine((n) => n <= 65535, 'a port number (0-65535)');
// Digits only: Number() would also take '1e3', '0x10', ' 7 ' or '' (= 0, unlimited or disabled).
/** A count where 0 means something (unlimited, no cap, off): the key's description says what. */
const wholeNumber = z.string().regex(/^\d{1,15}$/, 'a whole number (digits only)').transform(Number);
/** A cap or rate where 0 would refuse everything or stop the feature silently: at least 1. */
const positiveInt = wholeNumber.refine((n) => n >= 1, 'a whole number of at least 1 (digits only)');
/**
 * A duration needs a unit: a bare `7` meant as days would be read as 7 ms and prune the whole history.
 * Only `0` (unlimited / disabled) may go without one.
 */
const duration = z.string().regex(/^(0|\d+(ms|s|m|h|d))$/, 'a duration with a unit like 500ms, 30s, 15m, 24h or 7d (0 = off)').transform(parseDuration);
/** Retention shorter than a minute would drop events before a briefly disconnected client resumes: surely a typo. */
const retentionAge = duration.refine((ms) => ms === 0 || ms >= 60_000, 'at least 1m (or 0 = unlimited): a shorter retention deletes events before clients can resume');
const nonEmpty = z.string().min(1);
/** A cipher list OpenSSL can use: creating a context is the only exact test. */
const cipherList = z.string().min(1).refine((c) => {
  try {
    createSecureContext({ ciphers: c });
    return true;
  } catch {
    return false;
  }
}, 'an OpenSSL cipher list matching at least one cipher, e.g. TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256');
/**
 * Why a Redis URL cannot work, or undefined. Checked here so a typo is a config error naming the key,
 * not the URL parser's bare "Invalid URL" at connect time. Never echoes the value (it may hold a password).
 */
export function redisUrlProblem(value: string): string | undefined {
  const expected = 'a redis:// or rediss:// URL like redis://127.0.0.1:6379 (host, optional port 1-65535, optional /db number)';
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `not a valid URL: expected ${expected}`;
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return `scheme ${u.protocol.slice(0, 16)} is not redis: or rediss:: expected ${expected}`;
  if (u.hostname === '') return `no host: expected ${expected}`;
  if (u.port === '0') return `port 0: expected ${expected}`;
  if (!/^\/?(\d{1,2})?$/.test(u.pathname)) return `the path must be a database number like /0: expected ${expected}`;
  return undefined;
}

/** Parses `0` or digits with a unit (ms, s, m, h, d) into milliseconds. */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(s);
  if (!m) throw new Error(`invalid duration: ${s}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

interface KeySpec<T> {
  readonly env: string;
  readonly file: string;
  readonly schema: z.ZodType<T>;
  readonly description: string;
  /** Human description of the default, for the docs. */
  readonly defaultText: string;
}

function key<T>(env: string, file: string, schema: z.ZodType<T>, description: string, defaultText: string): KeySpec<T> {
  return { env, file, schema, description, defaultText };
}

export const CONFIG_KEYS = {
  host: key('WSGUARD_HOST', 'host', nonEmpty, 'listen address', '`127.0.0.1`'),
  port: key('WSGUARD_PORT', 'port', port, 'listen port (0 = any free port)', '`8080`'),
  allowedOrigins: key('WSGUARD_ALLOWED_ORIGINS', 'allowed_origins', csv.pipe(z.array(origin)), 'comma-separated exact origins allowed to open WebSockets and ask for tickets', 'the server\'s own `http://localhost:PORT` and `http://127.0.0.1:PORT`, or `https://localhost:PORT` and `https://127.0.0.1:PORT` with TLS'),
  allowedHosts: key('WSGUARD_ALLOWED_HOSTS', 'allowed_hosts', csv, 'comma-separated `Host` header values accepted (DNS-rebinding defence)', 'the listen host, `localhost` and `127.0.0.1`, with the port'),
  jwtSecret: key('WSGUARD_JWT_SECRET', 'jwt_secret', z.string().refine((s) => Buffer.byteLength(s) >= 32, 'at least 32 bytes'), 'HS256 secret', 'dev mode: a random secret, printed with demo tokens; loopback only'),
  jwtPublicKey: key('WSGUARD_JWT_PUBLIC_KEY', 'jwt_public_key', nonEmpty, 'PEM file with an RS256/ES256/EdDSA public key (instead of a secret)', 'unset'),
  jwtIssuer: key('WSGUARD_JWT_ISSUER', 'jwt_issuer', nonEmpty, '`iss` every token must carry', 'unset (not checked)'),
  jwtAudience: key('WSGUARD_JWT_AUDIENCE', 'jwt_audience', nonEmpty, '`aud` every token must carry', 'unset (not checked)'),
  db: key('WSGUARD_DB', 'db', nonEmpty, 'SQLite file of the event log', '`./data/wsguard.db`'),
  redisUrl: key('WSGUARD_REDIS_URL', 'redis_url', z.string().superRefine((u, ctx) => {
    const problem = redisUrlProblem(u);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }), 'cluster mode: sequence, history, fan-out, tickets, revocations and caps on Redis', 'unset (single node)'),
  redisPrefix: key('WSGUARD_REDIS_PREFIX', 'redis_prefix', z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, '1-64 of A-Z a-z 0-9 : _ -'), 'prefix of every Redis key and pub/sub channel', '`wsguard:`'),
  tlsCert: key('WSGUARD_TLS_CERT', 'tls_cert', nonEmpty, 'PEM certificate (chain): serve https/wss directly, with the TLS profile below', 'unset (plain; loopback or behind a TLS proxy)'),
  tlsKey: key('WSGUARD_TLS_KEY', 'tls_key', nonEmpty, 'PEM private key for `WSGUARD_TLS_CERT`', 'unset'),
  tlsCiphers: key('WSGUARD_TLS_CIPHERS', 'tls_ciphers', cipherList, 'OpenSSL cipher list (TLS 1.3 suites and TLS 1.2 ciphers) replacing the profile\'s; anything outside the profile is logged as a warning', 'the profile: ECDHE with AES-GCM or ChaCha20-Poly1305 (see [TLS](#tls))'),
  tlsMinVersion: key('WSGUARD_TLS_MIN_VERSION', 'tls_min_version', z.enum(['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1']), 'lowest TLS version accepted; below `TLSv1.2` is logged as a warning', '`TLSv1.2`'),
  tlsReloadInterval: key('WSGUARD_TLS_RELOAD_INTERVAL', 'tls_reload_interval', duration.refine((ms) => ms === 0 || ms >= 1000, 'a duration of at least 1s, e.g. 1m, or 0 to check only on SIGHUP'), 'how often the certificate and key files are checked for a new certificate: at least `1s`, or `0` = only on `SIGHUP`', '`1m`'),
  trustProxy: key('WSGUARD_TRUST_PROXY', 'trust_proxy', csv.pipe(z.array(z.string().refine(isTrustEntry, 'IP addresses or CIDR ranges like 10.0.0.0/8'))), 'comma-separated proxy addresses or CIDR ranges whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed; a forwarded hop that is not an address is refused with 400', 'none'),
  metricsToken: key('WSGUARD_METRICS_TOKEN', 'metrics_token', z.string().min(16, 'at least 16 characters'), 'bearer token required for `/metrics` from non-loopback clients', 'unset: `/metrics` answers loopback clients only'),
  retentionMaxEvents: key('WSGUARD_RETENTION_MAX_EVENTS', 'retention_max_events', wholeNumber, 'events kept per channel (0 = unlimited)', '`100000`'),
  retentionMaxAge: key('WSGUARD_RETENTION_MAX_AGE', 'retention_max_age', retentionAge, 'age after which events are dropped (0 = unlimited)', '`7d`'),
  idleTimeout: key('WSGUARD_IDLE_TIMEOUT', 'idle_timeout', duration, 'close (4408 `idle_timeout`) a connection with no subscription that sent and received nothing for this long; clients with something to resume reconnect (0 = never)', '`10m`'),
  maxConnections: key('WSGUARD_MAX_CONNECTIONS', 'max_connections', positiveInt, 'global cap on open WebSocket connections (at least 1)', '`10000`'),
  maxTcpPerIp: key('WSGUARD_MAX_TCP_PER_IP', 'max_tcp_per_ip', wholeNumber, 'open TCP connections one client address may hold before any HTTP is read (a trusted proxy is exempt; 0 = no cap); past it the socket is closed', '`256`'),
  replayPerConnection: key('WSGUARD_REPLAY_PER_CONNECTION', 'replay_per_connection', positiveInt, 'replays (`subscribe` with `since`) one connection runs at once; its others wait their turn', '`2`'),
  maxSubscriptions: key('WSGUARD_MAX_SUBSCRIPTIONS', 'max_subscriptions', positiveInt, 'channels one connection may be subscribed to at once; past it `subscribe` answers `too_many_subscriptions`', '`64`'),
  messageRate: key('WSGUARD_MESSAGE_RATE', 'message_rate', positiveInt, 'messages of any type (publish, subscribe, ping...) one connection may send per second (burst twice that); past it `error rate_limited`, and repeated refusals close the connection (1008). A publish also counts against `WSGUARD_PUBLISH_RATE_PER_USER`: raise both for a faster publisher', '`20`'),
  publishRatePerUser: key('WSGUARD_PUBLISH_RATE_PER_USER', 'publish_rate_per_user', positiveInt, 'publishes (`file_upload`, `file_delete`) one identity may make per second over all its connections and HTTP on a node (burst twice that); past it `rate_limited` (HTTP 429). With the retention settings it bounds what one account can write into the log: rate × `WSGUARD_RETENTION_MAX_AGE`', '`20`'),
  replayPerUser: key('WSGUARD_REPLAY_PER_USER', 'replay_per_user', positiveInt, 'replays one identity runs at once on a node, over all its connections', '`4`'),
  replayQueuePerUser: key('WSGUARD_REPLAY_QUEUE_PER_USER', 'replay_queue_per_user', positiveInt, 'replays one identity may have waiting on a node; past it `subscribe` answers `replay_limited`', '`256`'),
  maxChannels: key('WSGUARD_MAX_CHANNELS', 'max_channels', positiveInt, 'channels the event log holds at most (cluster-wide); publishing to a new channel past it answers `channel_limit`', '`100000`'),
  newChannelsPerUser: key('WSGUARD_NEW_CHANNELS_PER_USER', 'new_channels_per_user', positiveInt, 'new channels one identity may create per hour (cluster-wide); past it publishing to a new channel answers `channel_limit`', '`1000`'),
  logAggregateInterval: key('WSGUARD_LOG_AGGREGATE_INTERVAL', 'log_aggregate_interval', duration.refine((ms) => ms >= 1000, 'at least 1s'), 'repeated refusals of one kind from one client address are logged once per this interval, with a count (metrics count each one)', '`60s`'),
  maxTokenLifetime: key('WSGUARD_MAX_TOKEN_LIFETIME', 'max_token_lifetime', duration.pipe(z.number().min(1000, 'at least 1s')), 'longest token lifetime accepted (`exp − iat`; tokens without `iat` are refused); longer tokens are refused with `invalid_token` and `wsguard token` will not mint them; revocations are kept this long plus twice the clock tolerance', '`24h`'),
  ticketRatePerIp: key('WSGUARD_TICKET_RATE_PER_IP', 'ticket_rate_per_ip', positiveInt, 'tickets one client IP may mint per minute (`POST /api/tickets`, burst the same); past it 429', '`60`'),
  ticketRatePerUser: key('WSGUARD_TICKET_RATE_PER_USER', 'ticket_rate_per_user', positiveInt, 'tickets one subject may mint per minute (burst the same); past it 429', '`30`'),
  maxTicketsPerUser: key('WSGUARD_MAX_TICKETS_PER_USER', 'max_tickets_per_user', positiveInt, 'unredeemed, unexpired tickets one subject may hold; past it 429 (cluster-wide in cluster mode)', '`20`'),
  maxTickets: key('WSGUARD_MAX_TICKETS', 'max_tickets', positiveInt, 'unredeemed, unexpired tickets in total; past it 503 with `Retry-After` (cluster-wide in cluster mode)', '`10000`'),
  revocationRate: key('WSGUARD_REVOCATION_RATE', 'revocation_rate', positiveInt, 'admin revocations (`POST /api/revocations`) one admin subject may make per minute (burst the same); past it 429', '`30`'),
  staticRatePerIp: key('WSGUARD_STATIC_RATE_PER_IP', 'static_rate_per_ip', positiveInt, 'GETs of the page and its files (`/`, `/app.js`, `/vendor/…`, `/favicon.ico`…), `/api/info` and unknown paths one client IP may make per minute (burst the same); past it 429 with `Retry-After` (`/healthz` and `/metrics` are not counted)', '`600`'),
  maxRevocations: key('WSGUARD_MAX_REVOCATIONS', 'max_revocations', positiveInt, 'single node (SQLite): most live revocations kept in the `revocations` table of `WSGUARD_DB` (they survive a restart); past it `POST /api/revocations` answers 503 (metrics `wsguard_revocations_stored`, `wsguard_revocations_refused_total`)', '`100000`'),
  logLevel: key('WSGUARD_LOG_LEVEL', 'log_level', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'pino log level', '`info`'),
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export type ConfigValues = { [K in ConfigKey]?: z.output<(typeof CONFIG_KEYS)[K]['schema']> };
