/**
 * Every configuration key of `wsguard serve`, as data: one row per key with its environment
 * variable, its config-file key, its parser and its default. docs/configuration.md is checked
 * against this table by a test, so the two cannot drift.
 */
import { createSecureContext } from 'node:tls';
import { z } from 'zod';

const csv = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));
const origin = z.string().refine((o) => {
  try {
    const u = new URL(o);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
  } catch {
    return false;
  }
}, 'an exact origin like https://app.example.com (scheme, host, optional port; no path or trailing slash)');
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const duration = z.string().regex(/^\d+(ms|s|m|h|d)?$/, 'a duration like 500ms, 30s, 15m, 24h or 7d').transform(parseDuration);
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

export function parseDuration(s: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(s);
  if (!m) throw new Error(`invalid duration: ${s}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h' | 'd'];
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
  redisUrl: key('WSGUARD_REDIS_URL', 'redis_url', z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'), 'cluster mode: sequence, history, fan-out, tickets, revocations and caps on Redis', 'unset (single node)'),
  redisPrefix: key('WSGUARD_REDIS_PREFIX', 'redis_prefix', z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, '1-64 of A-Z a-z 0-9 : _ -'), 'prefix of every Redis key and pub/sub channel', '`wsguard:`'),
  tlsCert: key('WSGUARD_TLS_CERT', 'tls_cert', nonEmpty, 'PEM certificate (chain): serve https/wss directly, with the TLS profile below', 'unset (plain; loopback or behind a TLS proxy)'),
  tlsKey: key('WSGUARD_TLS_KEY', 'tls_key', nonEmpty, 'PEM private key for `WSGUARD_TLS_CERT`', 'unset'),
  tlsCiphers: key('WSGUARD_TLS_CIPHERS', 'tls_ciphers', cipherList, 'OpenSSL cipher list (TLS 1.3 suites and TLS 1.2 ciphers) replacing the profile\'s; anything outside the profile is logged as a warning', 'the profile: ECDHE with AES-GCM or ChaCha20-Poly1305 (see [TLS](#tls))'),
  tlsMinVersion: key('WSGUARD_TLS_MIN_VERSION', 'tls_min_version', z.enum(['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1']), 'lowest TLS version accepted; below `TLSv1.2` is logged as a warning', '`TLSv1.2`'),
  tlsReloadInterval: key('WSGUARD_TLS_RELOAD_INTERVAL', 'tls_reload_interval', duration.refine((ms) => ms === 0 || ms >= 1000, 'a duration of at least 1s, e.g. 1m, or 0 to check only on SIGHUP'), 'how often the certificate and key files are checked for a new certificate: at least `1s`, or `0` = only on `SIGHUP`', '`1m`'),
  trustProxy: key('WSGUARD_TRUST_PROXY', 'trust_proxy', csv, 'comma-separated proxy addresses whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed', 'none'),
  metricsToken: key('WSGUARD_METRICS_TOKEN', 'metrics_token', z.string().min(16, 'at least 16 characters'), 'bearer token required for `/metrics` from non-loopback clients', 'unset: `/metrics` answers loopback clients only'),
  retentionMaxEvents: key('WSGUARD_RETENTION_MAX_EVENTS', 'retention_max_events', positiveInt, 'events kept per channel (0 = unlimited)', '`100000`'),
  retentionMaxAge: key('WSGUARD_RETENTION_MAX_AGE', 'retention_max_age', duration, 'age after which events are dropped (0 = unlimited)', '`7d`'),
  maxConnections: key('WSGUARD_MAX_CONNECTIONS', 'max_connections', positiveInt, 'global cap on open WebSocket connections', '`10000`'),
  logLevel: key('WSGUARD_LOG_LEVEL', 'log_level', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'pino log level', '`info`'),
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export type ConfigValues = { [K in ConfigKey]?: z.output<(typeof CONFIG_KEYS)[K]['schema']> };
