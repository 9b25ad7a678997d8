/**
 * Everything cluster mode keeps on Redis, wired together: one command connection and one pub/sub
 * connection per node, one key prefix for all of it.
 *
 * The command connection has no offline queue, no resend of unanswered commands and a short
 * command timeout: while Redis is unreachable a write fails fast with `unavailable` instead of
 * waiting in a queue (and perhaps landing after the caller gave up). The pub/sub connection
 * retries forever and resubscribes by itself; the broker then fires `onReconnect`.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { WsguardError } from '../protocol/index.js';
import { RedisEventStore } from '../store/redis.js';
import type { ChannelLimits, RetentionPolicy } from '../store/types.js';
import { RedisBroker } from '../broker/redis.js';
import { RedisConnectionCounter, RedisRevocationStore, RedisTicketStore } from '../auth/redis.js';

export interface RedisBackendOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://` for TLS. */
  readonly url: string;
  /** Prefix of every key and pub/sub channel (default `wsguard:`); nodes of one cluster share it. */
  readonly prefix?: string;
  readonly retention: RetentionPolicy;
  /** Caps on creating channels, cluster-wide (default none). */
  readonly channelLimits?: ChannelLimits;
  /** When > 0 the store prunes (age retention, forgetting empty channels) this often (default 0: off). */
  readonly pruneIntervalMs?: number;
  /** A command unanswered after this long fails with `unavailable` (default 2000 ms). */
  readonly commandTimeoutMs?: number;
  /** A node silent for this long loses its connection slots (default 15000 ms). */
  readonly nodeTtlMs?: number;
  /** Connection-counter heartbeat period (default nodeTtlMs / 3). */
  readonly heartbeatMs?: number;
  /** Redis connection errors and listener exceptions; the backend keeps going. */
  readonly onError?: (err: unknown) => void;
}

export interface RedisBackend {
  readonly store: RedisEventStore;
  readonly broker: RedisBroker;
  readonly tickets: RedisTicketStore;
  readonly revocations: RedisRevocationStore;
  readonly connectionCounter: RedisConnectionCounter;
  /** Resolves once both connections are up and revocations are being received; rejects with `unavailable` after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  /** true when Redis takes writes and the pub/sub connection is up (for /healthz). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** Back off 100 ms, 200 ms, … up to 2 s between reconnect attempts, forever. */
function retryStrategy(times: number): number {
  return Math.min(times * 100, 2000);
}

export function commandConnection(url: string, commandTimeoutMs = 2000): Redis {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(commandTimeoutMs, 1000),
    retryStrategy,
    connectionName: 'wsguard',
  };
  return new Redis(url, options);
}

export function subscriberConnection(url: string): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    autoResubscribe: true,
    retryStrategy,
    connectionName: 'wsguard-sub',
  };
  return new Redis(url, options);
}

function whenReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}

async function shutdown(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}

export function createRedisBackend(opts: RedisBackendOptions): RedisBackend {
  const prefix = opts.prefix ?? 'wsguard:';
  const onError = opts.onError ?? (() => {});
  const redis = commandConnection(opts.url, opts.commandTimeoutMs);
  const subscriber = subscriberConnection(opts.url);
  // A listener also stops ioredis from printing "Unhandled error event" on every retry.
  redis.on('error', onError);
  subscriber.on('error', onError);

  const store = new RedisEventStore({
    redis,
    prefix,
    retention: opts.retention,
    ...(opts.channelLimits ? { channelLimits: opts.channelLimits } : {}),
    ...(opts.pruneIntervalMs ? { pruneIntervalMs: opts.pruneIntervalMs, onError } : {}),
  });
  const broker = new RedisBroker({ subscriber, prefix, onError });
  const tickets = new RedisTicketStore({ redis, prefix });
  const revocations = new RedisRevocationStore({ redis, subscriber, prefix, onError });
  const connectionCounter = new RedisConnectionCounter({ redis, prefix, onError, ttlMs: opts.nodeTtlMs, heartbeatMs: opts.heartbeatMs });
  let closed = false;

  return {
    store, broker, tickets, revocations, connectionCounter,
    async ready(timeoutMs = 5000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new WsguardError('unavailable', 'Redis is not reachable.')), timeoutMs);
      });
      try {
        await Promise.race([Promise.all([whenReady(redis), whenReady(subscriber), revocations.ready()]), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async healthy() {
      return (await broker.healthy()) && (await store.healthy());
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([broker.close(), revocations.close(), connectionCounter.close(), store.close(), tickets.close()]);
      await Promise.all([shutdown(redis), shutdown(subscriber)]);
    },
  };
}
