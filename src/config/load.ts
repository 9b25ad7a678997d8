/**
 * Loads and validates `wsguard serve` configuration from the environment and an optional JSON
 * config file (`WSGUARD_CONFIG` or `--config`). Environment wins over the file. Any bad value
 * throws the project's one configuration error, WsguardConfigError, whose message is one line naming
 * the key and what is expected.
 */
import { readFileSync } from 'node:fs';
import { closest } from 'fastest-levenshtein';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { z } from 'zod';
import { CONFIG_KEYS, type ConfigKey, type ConfigValues } from './keys.js';
import { closestKey, unknownEnvNames } from './env-names.js';
import { checkTlsPair, TlsPairError } from './tls-pair.js';
import { jsonErrorLocation } from './json-error.js';
import { WsguardConfigError } from '../protocol/failures.js';

export interface HubConfig {
  host: string;
  port: number;
  allowedOrigins: string[] | 'self';
  allowedHosts: string[] | 'self';
  jwt: { secret?: string; publicKeyPem?: string; issuer?: string; audience?: string };
  /** true when no secret or key was configured: a random secret was generated, loopback only. */
  devMode: boolean;
  db: string;
  redis?: { url: string; prefix: string };
  /** Files are kept for reload; the profile overrides are unset unless an operator gave them. */
  tls?: {
    cert: string;
    key: string;
    certFile?: string;
    keyFile?: string;
    ciphers?: string;
    minVersion?: 'TLSv1.3' | 'TLSv1.2' | 'TLSv1.1' | 'TLSv1';
    reloadIntervalMs?: number;
  };
  trustProxy: string[];
  metricsToken?: string;
  retention: { maxEvents: number; maxAgeMs: number };
  /** Idle-connection timeout (0 = never); unset: the guard's default (10 min). */
  idleTimeoutMs?: number;
  maxConnections: number;
  /** Open TCP connections per client address (0 = no cap). */
  maxTcpPerIp?: number;
  /** Replay work in flight (see src/hub/replay-slots.ts); unset = defaults. */
  replay?: { perConnection: number; perUser: number; queuePerUser: number };
  /** Channels one connection may be subscribed to at once; unset = the hub's default (64). */
  maxSubscriptions?: number;
  /** Messages per second one connection may send (the guard's messageRate; burst twice that). */
  messageRate?: number;
  /** Publishes per second one identity may make over all its connections and HTTP (burst twice that). */
  publishRatePerUser?: number;
  /** Channel creation caps (see docs/server.md); unset = defaults. */
  channels?: { max: number; newPerUserPerHour: number };
  /** Refusal log aggregation interval in ms; unset = default. */
  logAggregateMs?: number;
  /** Longest accepted token lifetime, seconds (default 86400). */
  maxTokenLifetimeSec?: number;
  /** Ticket minting limits (defaults in DEFAULT_TICKET_LIMITS). */
  tickets?: { perIpPerMin: number; perUserPerMin: number; maxPerUser: number; maxTotal: number };
  /** Admin revocations per admin subject per minute (default 30). */
  revocationRatePerMin?: number;
  /** GETs of the page's files, /api/info and unknown paths per client IP per minute (default 600). */
  staticRatePerMin?: number;
  /** Single node: cap on stored revocations (default 100000). */
  maxRevocations?: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || (isIP(host) === 4 && host.startsWith('127.'));
}

function readFileConfig(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new WsguardConfigError('WSGUARD_CONFIG', `cannot read ${path}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const { line, column, reason } = jsonErrorLocation(text, err);
    throw new WsguardConfigError('WSGUARD_CONFIG', `config file ${path}: invalid JSON at line ${line} column ${column}: ${reason}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new WsguardConfigError('WSGUARD_CONFIG', `${path} must hold a JSON object`);
  const known = new Set(Object.values(CONFIG_KEYS).map((k) => k.file));
  const fileKeys = Object.values(CONFIG_KEYS).map((k) => k.file);
  for (const k of Object.keys(parsed)) if (!known.has(k)) throw new WsguardConfigError(`${k} (in ${path})`, `unknown key; did you mean ${closest(k, fileKeys)}?`);
  return parsed as Record<string, unknown>;
}

type ConfigFile = { path: string; values: Record<string, unknown> };

/** How an error names a key: its environment variable, or its file key and the file it came from. */
function keyLabel(name: ConfigKey, env: NodeJS.ProcessEnv, file?: ConfigFile): string {
  const spec = CONFIG_KEYS[name];
  const fromEnv = env[spec.env];
  if ((fromEnv === undefined || fromEnv === '') && file?.values[spec.file] !== undefined) return `${spec.file} (in ${file.path})`;
  return spec.env;
}

/**
 * A misspelt variable would be ignored and the default used instead: refused like an unknown key in
 * the file. An empty value too: `WSGUARD_X=` reads as "set", so taking the default would surprise.
 */
export function checkEnvNames(env: NodeJS.ProcessEnv): void {
  const unknown = unknownEnvNames(env)[0];
  if (unknown !== undefined) throw new WsguardConfigError(unknown, `unknown variable; did you mean ${closestKey(unknown)}?`);
  for (const spec of Object.values(CONFIG_KEYS)) {
    if (env[spec.env] === '') throw new WsguardConfigError(spec.env, 'empty; give a value or unset the variable to use the default');
  }
}

/** Parses raw values (strings from env, JSON values from the file) into typed values. */
export function parseValues(env: NodeJS.ProcessEnv, file?: ConfigFile): ConfigValues {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_KEYS) as [ConfigKey, (typeof CONFIG_KEYS)[ConfigKey]][]) {
    const fromEnv = env[spec.env];
    const fromFile = file?.values[spec.file];
    let raw: string | undefined;
    if (fromEnv !== undefined && fromEnv !== '') raw = fromEnv;
    else if (fromFile !== undefined) raw = Array.isArray(fromFile) ? fromFile.join(',') : String(fromFile);
    else continue;
    const label = keyLabel(name, env, file);
    const r = (spec.schema as z.ZodType<unknown>).safeParse(raw);
    if (!r.success) throw new WsguardConfigError(label, r.error.issues[0]?.message ?? 'invalid value');
    out[name] = r.data;
  }
  return out as ConfigValues;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, configPath = env.WSGUARD_CONFIG): HubConfig {
  checkEnvNames(env);
  const file = configPath ? { path: configPath, values: readFileConfig(configPath) } : undefined;
  const v = parseValues(env, file);
  const host = v.host ?? '127.0.0.1';
  const secretOrKey = v.jwtSecret !== undefined || v.jwtPublicKey !== undefined;
  const loopback = isLoopbackHost(host);

  if ((v.tlsCert === undefined) !== (v.tlsKey === undefined)) throw new WsguardConfigError(v.tlsCert ? 'WSGUARD_TLS_KEY' : 'WSGUARD_TLS_CERT', 'TLS needs both a certificate and a key');
  for (const [k, set] of [['WSGUARD_TLS_CIPHERS', v.tlsCiphers], ['WSGUARD_TLS_MIN_VERSION', v.tlsMinVersion], ['WSGUARD_TLS_RELOAD_INTERVAL', v.tlsReloadInterval]] as const) {
    if (set !== undefined && !v.tlsCert) throw new WsguardConfigError(k, 'applies only with WSGUARD_TLS_CERT and WSGUARD_TLS_KEY (the hub serves plain HTTP without them)');
  }
  if (v.jwtSecret !== undefined && v.jwtPublicKey !== undefined) throw new WsguardConfigError('WSGUARD_JWT_PUBLIC_KEY', 'set either WSGUARD_JWT_SECRET or WSGUARD_JWT_PUBLIC_KEY, not both');
  if (!loopback) {
    // Refuse to ship the dev config to a network: every one of these is needed off loopback.
    if (!secretOrKey) throw new WsguardConfigError('WSGUARD_JWT_SECRET', `required when binding the non-loopback address ${host}`);
    if (!v.allowedOrigins?.length) throw new WsguardConfigError('WSGUARD_ALLOWED_ORIGINS', `required when binding the non-loopback address ${host}`);
    if (!v.tlsCert && !v.trustProxy?.length) throw new WsguardConfigError('WSGUARD_TLS_CERT', `TLS or a trusted TLS-terminating proxy (WSGUARD_TRUST_PROXY) is required when binding ${host}`);
  }
  let publicKeyPem: string | undefined;
  if (v.jwtPublicKey) {
    try {
      publicKeyPem = readFileSync(v.jwtPublicKey, 'utf8');
    } catch {
      throw new WsguardConfigError('WSGUARD_JWT_PUBLIC_KEY', `cannot read ${v.jwtPublicKey}`);
    }
  }
  let tls: HubConfig['tls'];
  if (v.tlsCert && v.tlsKey) {
    const labels = { cert: keyLabel('tlsCert', env, file), key: keyLabel('tlsKey', env, file) };
    const read = (which: 'cert' | 'key', path: string) => {
      try {
        return readFileSync(path, 'utf8');
      } catch (err) {
        throw new WsguardConfigError(labels[which], `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    };
    const cert = read('cert', v.tlsCert);
    const key = read('key', v.tlsKey);
    // The same checks as a reload (src/hub/tls.ts): a pair a reload would refuse does not start either.
    try {
      checkTlsPair(cert, key);
    } catch (err) {
      if (err instanceof TlsPairError) throw new WsguardConfigError(labels[err.file], `${err.message} (${err.file === 'cert' ? v.tlsCert : v.tlsKey})`);
      throw err;
    }
    tls = { cert, key, certFile: v.tlsCert, keyFile: v.tlsKey, ciphers: v.tlsCiphers, minVersion: v.tlsMinVersion, reloadIntervalMs: v.tlsReloadInterval ?? 60_000 };
  }
  return {
    host,
    port: v.port ?? 8080,
    allowedOrigins: v.allowedOrigins?.length ? v.allowedOrigins : 'self',
    allowedHosts: v.allowedHosts?.length ? v.allowedHosts : 'self',
    jwt: {
      secret: secretOrKey ? v.jwtSecret : randomBytes(32).toString('base64url'),
      publicKeyPem,
      issuer: v.jwtIssuer,
      audience: v.jwtAudience,
    },
    devMode: !secretOrKey,
    db: v.db ?? './data/wsguard.db',
    redis: v.redisUrl ? { url: v.redisUrl, prefix: v.redisPrefix ?? 'wsguard:' } : undefined,
    tls,
    trustProxy: v.trustProxy ?? [],
    metricsToken: v.metricsToken,
    retention: { maxEvents: v.retentionMaxEvents ?? 100_000, maxAgeMs: v.retentionMaxAge ?? 7 * 86_400_000 },
    idleTimeoutMs: v.idleTimeout ?? 10 * 60_000,
    maxConnections: v.maxConnections ?? 10_000,
    maxTcpPerIp: v.maxTcpPerIp ?? 256,
    maxSubscriptions: v.maxSubscriptions ?? 64,
    messageRate: v.messageRate ?? 20,
    publishRatePerUser: v.publishRatePerUser ?? 20,
    replay: { perConnection: v.replayPerConnection ?? 2, perUser: v.replayPerUser ?? 4, queuePerUser: v.replayQueuePerUser ?? 256 },
    channels: { max: v.maxChannels ?? 100_000, newPerUserPerHour: v.newChannelsPerUser ?? 1000 },
    logAggregateMs: v.logAggregateInterval ?? 60_000,
    maxTokenLifetimeSec: Math.floor((v.maxTokenLifetime ?? 86_400_000) / 1000),
    tickets: {
      perIpPerMin: v.ticketRatePerIp ?? 60,
      perUserPerMin: v.ticketRatePerUser ?? 30,
      maxPerUser: v.maxTicketsPerUser ?? 20,
      maxTotal: v.maxTickets ?? 10_000,
    },
    revocationRatePerMin: v.revocationRate ?? 30,
    staticRatePerMin: v.staticRatePerIp ?? 600,
    maxRevocations: v.maxRevocations ?? 100_000,
    logLevel: v.logLevel ?? 'info',
  };
}

/** Resolves 'self' origin/host lists once the real port is known (port 0 binds late). */
export function selfOrigins(config: HubConfig, port: number): { origins: string[]; hosts: string[] } {
  const scheme = config.tls ? 'https' : 'http';
  const origins = config.allowedOrigins === 'self' ? [`${scheme}://localhost:${port}`, `${scheme}://127.0.0.1:${port}`] : config.allowedOrigins;
  const hosts = config.allowedHosts === 'self' ? [...new Set([config.host, 'localhost', '127.0.0.1'])].map((h) => `${h}:${port}`) : config.allowedHosts;
  return { origins, hosts };
}
