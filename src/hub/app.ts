/**
 * Assembles a running hub from a validated HubConfig: event log (SQLite, or Redis in cluster
 * mode), broker, http(s) server with hardened timeouts, guard, hub, and HTTP routes.
 * `wsguard serve`, the tests and the benchmarks all start the hub through here.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { createGuard, REDACT_PATHS, secureHttpOptions, type Guard, type GuardOptions } from '../server/index.js';
import { MemoryBroker } from '../broker/memory.js';
import type { RedisBackend } from '../cluster/redis-backend.js';
import type { SqliteRevocationStore } from '../auth/sqlite.js';
import type { EventStore } from '../store/types.js';
import type { SqliteEventStoreOptions } from '../store/sqlite.js';
import type { Broker } from '../broker/types.js';
import { selfOrigins, type HubConfig } from '../config/index.js';
import { createHub, type Hub, type HubOptions } from './hub.js';
import { loadWithPeers } from './peers.js';
import { loadStaticFiles } from './static-files.js';
import { HubTls } from './tls.js';
import { BackendErrorLog } from './backend-errors.js';

export interface RunningHub {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly guard: Guard;
  readonly hub: Hub;
  readonly store: EventStore;
  readonly server: http.Server | https.Server;
  readonly logger: Logger;
  /** Certificate reload and expiry, when the hub serves TLS itself. */
  readonly tls?: HubTls;
  /** Graceful: refuse new handshakes, 1001 to every client, drain, then close the log. */
  close(deadlineMs?: number): Promise<void>;
}

export interface StartOptions {
  /** Overrides for guard options the config does not cover (tests use short timers). */
  readonly guard?: Partial<Omit<GuardOptions, 'server'>>;
  readonly logger?: Logger;
  /** Directory of the page's static files (default: the package's public/). */
  readonly publicDir?: string;
  /** Overrides for hub options the config does not cover (tests use small replay pages). */
  readonly hub?: Partial<Omit<HubOptions, 'guard' | 'store' | 'broker'>>;
  /** SQLite event log options the config does not cover: `onOpen` gets the connection (drills inject faults through it); `generationFile`. */
  readonly sqlite?: Pick<SqliteEventStoreOptions, 'onOpen' | 'generationFile'>;
}

/** host:port of a Redis URL, without credentials (the line is printed). */
function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'unparsable URL';
  }
}

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

export async function startHub(config: HubConfig, opts: StartOptions = {}): Promise<RunningHub> {
  const logger = opts.logger ?? pino({ name: 'wsguard', level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
  // First, so a bad certificate stops start-up before anything is opened.
  const tls = config.tls ? new HubTls(config.tls, logger) : undefined;
  // Until the hub is up, a backend error is the start-up failure itself (one line from the caller),
  // not one log line per reconnect attempt.
  let startupFailed: ((err: unknown) => void) | undefined;
  let quiet = false;
  const errorLog = new BackendErrorLog(logger);
  const onError = (err: unknown) => {
    if (startupFailed) return startupFailed(err);
    if (!quiet) errorLog.record(err);
  };
  const channelLimits = { maxChannels: config.channels?.max ?? 100_000, newPerUserPerHour: config.channels?.newPerUserPerHour ?? 1000 };

  let backend: RedisBackend | undefined;
  let store: EventStore;
  let broker: Broker;
  /** Single node: revocations in the event-log file, so a restart does not forget them. */
  let revocations: SqliteRevocationStore | undefined;
  if (config.redis) {
    const { createRedisBackend } = await loadWithPeers(['ioredis'], 'cluster mode (WSGUARD_REDIS_URL)', () => import('../cluster/redis-backend.js'));
    backend = createRedisBackend({ url: config.redis.url, prefix: config.redis.prefix, retention: config.retention, channelLimits, pruneIntervalMs: 60_000, onError });
    try {
      await new Promise<void>((resolve, reject) => {
        startupFailed = reject;
        backend!.ready(10_000).then(resolve, reject);
      });
    } catch (err) {
      quiet = true;
      await backend.close();
      const e = err as NodeJS.ErrnoException;
      throw new Error(`cannot reach Redis at WSGUARD_REDIS_URL (${redisAddress(config.redis.url)}): ${e.code ?? e.message}`);
    } finally {
      startupFailed = undefined;
    }
    store = backend.store;
    broker = backend.broker;
  } else {
    const { SqliteEventStore } = await loadWithPeers(['better-sqlite3'], 'the SQLite event log (WSGUARD_DB)', () => import('../store/sqlite.js'));
    const sqlite = new SqliteEventStore({ path: config.db, retention: config.retention, channelLimits, pruneIntervalMs: 60_000, onError, ...opts.sqlite });
    const { outcome, rotated, file } = sqlite.generation;
    if (outcome === 'restored' || outcome === 'replaced' || outcome === 'unverifiable') {
      // Loud: the operator should know clients resync, and that later revocations came back undone.
      logger.warn(
        { outcome, rotatedEpochs: rotated, generationFile: file },
        'the event log is not the one this hub last wrote (restored from a backup, copied or replaced): every channel got a new epoch, so clients resync instead of skipping reused seqs; revocations made after that copy was taken are gone: revoke them again',
      );
    }
    store = sqlite;
    broker = new MemoryBroker({ onError });
    if (!opts.guard?.revocationStore) {
      try {
        const { SqliteRevocationStore } = await import('../auth/sqlite.js');
        revocations = new SqliteRevocationStore({ path: config.db, ...(config.maxRevocations !== undefined ? { maxEntries: config.maxRevocations } : {}), onError });
      } catch (err) {
        await store.close();
        await broker.close();
        throw new Error(`cannot open the revocation table in ${config.db}: ${(err as Error).message}`);
      }
    }
  }

  let createHttpApp: typeof import('./http.js').createHttpApp;
  try {
    ({ createHttpApp } = await loadWithPeers(['helmet'], 'the hub\'s HTTP routes', () => import('./http.js')));
  } catch (err) {
    await revocations?.close();
    await store.close();
    await (backend?.close() ?? broker.close());
    throw err;
  }

  // Answer 503 until the guard and routes exist (the port must be known to build the origin list).
  let app: http.RequestListener = (_req, res) => void res.writeHead(503, { 'Retry-After': '1' }).end();
  const serverOptions = secureHttpOptions();
  const server = tls
    ? https.createServer({ ...serverOptions, ...tls.serverOptions() }, (req, res) => app(req, res))
    : http.createServer(serverOptions, (req, res) => app(req, res));
  server.maxHeadersCount = 100;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await revocations?.close();
    await store.close();
    await (backend?.close() ?? broker.close());
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const port = (server.address() as AddressInfo).port;
  const { origins, hosts } = selfOrigins(config, port);

  const guard = createGuard({
    ...opts.guard,
    server,
    path: '/ws',
    origins,
    ...(config.allowedHosts === 'self' ? {} : { hosts }),
    trustProxy: config.trustProxy,
    ...(config.idleTimeoutMs !== undefined && opts.guard?.idleTimeoutMs === undefined ? { idleTimeoutMs: config.idleTimeoutMs } : {}),
    ...(config.messageRate !== undefined && opts.guard?.messageRate === undefined ? { messageRate: { perSec: config.messageRate, burst: 2 * config.messageRate } } : {}),
    caps: { global: config.maxConnections, perIp: 50, perUser: 10, tcpPerIp: config.maxTcpPerIp ?? 256, ...opts.guard?.caps },
    ...(config.logAggregateMs !== undefined ? { securityLog: { intervalMs: config.logAggregateMs, ...opts.guard?.securityLog } } : {}),
    auth: {
      ...(config.maxTokenLifetimeSec !== undefined ? { maxTokenLifetimeSec: config.maxTokenLifetimeSec } : {}),
      ...(config.tickets ? { ticketLimits: config.tickets } : {}),
      ...opts.guard?.auth,
      jwt: config.jwt.publicKeyPem
        ? { publicKey: config.jwt.publicKeyPem, issuer: config.jwt.issuer, audience: config.jwt.audience }
        : { secret: config.jwt.secret!, issuer: config.jwt.issuer, audience: config.jwt.audience },
    },
    ...(backend ? { ticketStore: backend.tickets, revocationStore: backend.revocations, connectionCounter: backend.connectionCounter } : {}),
    ...(revocations ? { revocationStore: revocations } : {}),
    logger,
  });
  if (revocations) {
    const rev = revocations;
    new Gauge({
      name: 'wsguard_revocations_stored',
      help: 'Revocations in the SQLite revocation table (single node); capped by WSGUARD_MAX_REVOCATIONS.',
      registers: [guard.registry],
      collect() {
        this.set(rev.size);
      },
    });
    new Counter({
      name: 'wsguard_revocations_refused_total',
      help: 'Revocations refused (503) because the SQLite revocation table was full.',
      registers: [guard.registry],
      collect() {
        this.reset();
        this.inc(rev.refusedFull);
      },
    });
  }
  if (tls) tls.attach(server as https.Server, guard.registry);
  const hub = createHub({ ...(config.replay ? { replayLimits: config.replay } : {}), ...(config.maxSubscriptions !== undefined ? { maxSubscriptionsPerConnection: config.maxSubscriptions } : {}), ...(config.publishRatePerUser !== undefined ? { publishRatePerUser: { perSec: config.publishRatePerUser, burst: 2 * config.publishRatePerUser } } : {}), channelLimits, ...opts.hub, guard, store, broker });
  app = createHttpApp({
    guard,
    hub,
    files: loadStaticFiles(opts.publicDir ?? PUBLIC_DIR),
    dev: config.devMode ? { secret: config.jwt.secret!, issuer: config.jwt.issuer, audience: config.jwt.audience } : undefined,
    metricsToken: config.metricsToken,
    trustProxy: config.trustProxy,
    ...(config.revocationRatePerMin !== undefined ? { revocationRatePerMin: config.revocationRatePerMin } : {}),
    ...(config.staticRatePerMin !== undefined ? { staticRatePerMin: config.staticRatePerMin } : {}),
    tls: config.tls !== undefined,
    health: async () => ({
      store: await store.healthy().catch(() => false),
      broker: await (backend?.healthy() ?? broker.healthy()).catch(() => false),
      ...(tls ? { tls: tls.health() } : {}),
    }),
  });

  const scheme = config.tls ? 'https' : 'http';
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = `${scheme}://${hostForUrl}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    wsUrl: `${scheme === 'https' ? 'wss' : 'ws'}://${hostForUrl}:${port}/ws`,
    port,
    guard,
    hub,
    store,
    server,
    logger,
    tls,
    close(deadlineMs?: number) {
      closing ??= (async () => {
        tls?.close();
        await guard.close(deadlineMs === undefined ? {} : { deadlineMs });
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections?.();
        });
        await revocations?.close();
        await store.close();
        await (backend?.close() ?? broker.close());
        errorLog.close();
      })();
      return closing;
    },
  };
}
