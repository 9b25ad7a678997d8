/**
 * Shared by the Redis tests: is Redis there, a random key prefix per test, key cleanup,
 * and a private redis-server child process that a test can stop and start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { after } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisBackend, type RedisBackend } from '../../src/cluster/redis-backend.js';

export const REDIS_URL = process.env.WSGUARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const HOW_TO = `Redis tests skipped: no Redis at ${REDIS_URL}. Start one (redis-server) or set WSGUARD_TEST_REDIS_URL; under CI=1 they fail instead.`;

/**
 * Undefined when Redis answers; otherwise a skip message (or, under CI, an exception: they must run there).
 */
export async function redisSkipReason(): Promise<string | undefined> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return undefined;
  } catch {
    if (process.env.CI) throw new Error(`CI is set but Redis is not reachable at ${REDIS_URL}`);
    console.log(HOW_TO);
    return HOW_TO;
  } finally {
    probe.disconnect();
  }
}

export function randomPrefix(): string {
  return `wsguard-test:${randomUUID()}:`;
}

/** A plain client for assertions and cleanup. */
export function plainClient(url = REDIS_URL): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  return r;
}

/** Deletes every key under `prefix` (bounded SCAN loop). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  for (let i = 0; i < 10_000; i++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) deleted += await redis.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return deleted;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every 20 ms until true; throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A throwaway redis-server on a free port, which the test can stop and start. No persistence unless
 * `extraArgs` turn it on (later arguments override earlier ones), e.g. `--appendonly yes --dir <tmp>`.
 */
export class RedisServer {
  readonly url: string;
  #child: ChildProcess | undefined;

  private constructor(readonly port: number, readonly extraArgs: readonly string[]) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(extraArgs: readonly string[] = []): Promise<RedisServer> {
    const s = new RedisServer(await freePort(), extraArgs);
    await s.start();
    return s;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...this.extraArgs];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.#child = child;
    const probe = plainClient(this.url);
    try {
      await waitFor(async () => (await probe.ping().catch(() => '')) === 'PONG', 10_000, `redis-server on ${this.port}`);
    } finally {
      probe.disconnect();
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * One test file's Redis resources: random key prefixes and simulated nodes (backends), all closed
 * and deleted in an `after` hook it registers. Does nothing when the file's tests are skipped.
 */
export function redisScope(skip: string | undefined) {
  const prefixes: string[] = [];
  const backends: RedisBackend[] = [];
  const connections: Redis[] = [];
  after(async () => {
    if (skip) return;
    await Promise.all(backends.map((b) => b.close()));
    for (const c of connections) c.disconnect();
    const admin = plainClient();
    for (const p of prefixes) await deleteKeys(admin, p);
    admin.disconnect();
  });
  return {
    prefix(): string {
      const p = randomPrefix();
      prefixes.push(p);
      return p;
    },
    /** One simulated node: its own command and pub/sub connections under `prefix`. */
    async node(prefix: string, extra: { nodeTtlMs?: number; heartbeatMs?: number; onError?: (err: unknown) => void } = {}): Promise<RedisBackend> {
      const b = createRedisBackend({ url: REDIS_URL, prefix, retention: { maxEvents: 0, maxAgeMs: 0 }, ...extra });
      backends.push(b);
      await b.ready();
      return b;
    },
    /** A connection the test opened itself, disconnected at the end. */
    track(conn: Redis): Redis {
      connections.push(conn);
      return conn;
    },
  };
}
