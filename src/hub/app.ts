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
import { createGuard, REDACT_PATHS, secureHttpOptions, type Guard, type GuardOptions } from '../server/index.js';
import { SqliteEventStore } from '../store/sqlite.js';
import { MemoryBroker } from '../broker/memory.js';
import { createRedisBackend, type RedisBackend } from '../cluster/redis-backend.js';
import type { EventStore } from '../store/types.js';
import type { Broker } from '../broker/types.js';
import { selfOrigins, type HubConfig } from '../config/index.js';
import { createHub, type Hub } from './hub.js';
import { createHttpApp } from './http.js';

/** TLS 1.2 suites: forward-secret (ECDHE) AEAD only, no CBC or RSA key exchange (found by the self-audit's WSG-TLS-02); TLS 1.3 keeps Node's defaults. */
const TLS12_CIPHERS = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305'].join(':');
import { loadStaticFiles } from './static-files.js';

export interface RunningHub {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly guard: Guard;
  readonly hub: Hub;
  readonly store: EventStore;
  readonly server: http.Server | https.Server;
  readonly logger: Logger;
  /** Graceful: refuse new handshakes, 1001 to every client, drain, then close the log. */
  close(deadlineMs?: number): Promise<void>;
}

export interface StartOptions {
  /** Overrides for guard options the config does not cover (tests use short timers). */
  readonly guard?: Partial<Omit<GuardOptions, 'server'>>;
  readonly logger?: Logger;
  /** Directory of the page's static files (default: the package's public/). */
  readonly publicDir?: string;
}

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

export async function startHub(config: HubConfig, opts: StartOptions = {}): Promise<RunningHub> {
  const logger = opts.logger ?? pino({ name: 'wsguard', level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
  const onError = (err: unknown) => logger.error({ err: (err as Error)?.message }, 'event log error');

  let backend: RedisBackend | undefined;
  let store: EventStore;
  let broker: Broker;
  if (config.redis) {
    backend = createRedisBackend({ url: config.redis.url, prefix: config.redis.prefix, retention: config.retention, onError });
    await backend.ready(10_000).catch(async (err: unknown) => {
      await backend!.close();
      throw new Error(`cannot reach Redis at WSGUARD_REDIS_URL: ${(err as Error).message}`);
    });
    store = backend.store;
    broker = backend.broker;
  } else {
    store = new SqliteEventStore({ path: config.db, retention: config.retention, pruneIntervalMs: 60_000, onError });
    broker = new MemoryBroker({ onError });
  }

  // Answer 503 until the guard and routes exist (the port must be known to build the origin list).
  let app: http.RequestListener = (_req, res) => void res.writeHead(503, { 'Retry-After': '1' }).end();
  const serverOptions = secureHttpOptions();
  const server = config.tls
    ? https.createServer({ ...serverOptions, cert: config.tls.cert, key: config.tls.key, minVersion: 'TLSv1.2', ciphers: TLS12_CIPHERS }, (req, res) => app(req, res))
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
    caps: { global: config.maxConnections, perIp: 50, perUser: 10, ...opts.guard?.caps },
    auth: {
      ...opts.guard?.auth,
      jwt: config.jwt.publicKeyPem
        ? { publicKey: config.jwt.publicKeyPem, issuer: config.jwt.issuer, audience: config.jwt.audience }
        : { secret: config.jwt.secret!, issuer: config.jwt.issuer, audience: config.jwt.audience },
    },
    ...(backend ? { ticketStore: backend.tickets, revocationStore: backend.revocations, connectionCounter: backend.connectionCounter } : {}),
    logger,
  });
  const hub = createHub({ guard, store, broker });
  app = createHttpApp({
    guard,
    hub,
    files: loadStaticFiles(opts.publicDir ?? PUBLIC_DIR),
    dev: config.devMode ? { secret: config.jwt.secret!, issuer: config.jwt.issuer, audience: config.jwt.audience } : undefined,
    metricsToken: config.metricsToken,
    trustProxy: config.trustProxy,
    tls: config.tls !== undefined,
    health: async () => ({ store: await store.healthy().catch(() => false), broker: await (backend?.healthy() ?? broker.healthy()).catch(() => false) }),
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
    close(deadlineMs?: number) {
      closing ??= (async () => {
        await guard.close(deadlineMs === undefined ? {} : { deadlineMs });
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections?.();
        });
        await store.close();
        await (backend?.close() ?? broker.close());
      })();
      return closing;
    },
  };
}
