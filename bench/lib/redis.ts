/**
 * The cluster scenario's Redis: a private `redis-server` on a free port when one is on PATH (its
 * CPU figures are then the benchmark's alone, and nobody else's keys are near), else the server at
 * WSGUARD_BENCH_REDIS_URL. Either way every key lives under a random prefix that is deleted after.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { sleep } from './clock.js';

export interface BenchRedis {
  readonly host: string;
  readonly port: number;
  /** True when it is a private redis-server (CPU readings are ours alone). */
  readonly private: boolean;
  /** A new key prefix for one run. */
  prefix(): string;
  /** used_cpu_sys + used_cpu_user of the Redis process, in µs (INFO cpu). */
  cpuUs(): Promise<number>;
  /** Deletes every key under `prefix` (bounded SCAN loop). */
  clean(prefix: string): Promise<void>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** `cpu`: the core to pin a private redis-server to (taskset), when there is one to spare. */
export async function openRedis(cpu: number | undefined): Promise<BenchRedis> {
  const url = process.env.WSGUARD_BENCH_REDIS_URL;
  let child: ChildProcess | undefined;
  let host = '127.0.0.1';
  let port: number;
  if (url) {
    const u = new URL(url);
    host = u.hostname;
    port = Number(u.port || 6379);
  } else if (onPath('redis-server')) {
    port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const pin = cpu !== undefined && existsSync('/usr/bin/taskset');
    child = pin ? spawn('taskset', ['-c', String(cpu), 'redis-server', ...args], { stdio: 'ignore' }) : spawn('redis-server', args, { stdio: 'ignore' });
  } else {
    throw new Error('cluster: needs redis-server on PATH or WSGUARD_BENCH_REDIS_URL=redis://host:port');
  }
  const admin = new Redis({ host, port, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  admin.on('error', () => undefined);
  for (let i = 0; (await admin.ping().catch(() => '')) !== 'PONG'; i++) {
    if (i >= 100) {
      admin.disconnect();
      child?.kill('SIGKILL');
      throw new Error(`cluster: Redis on ${host}:${port} not reachable`);
    }
    await sleep(100);
  }
  return {
    host,
    port,
    private: child !== undefined,
    prefix: () => `wsguard-bench:${randomUUID().slice(0, 8)}:`,
    cpuUs: async () => {
      const info = await admin.info('cpu');
      const field = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
      return (field('used_cpu_sys') + field('used_cpu_user')) * 1e6;
    },
    clean: async (prefix) => {
      let cursor = '0';
      for (let i = 0; i < 10_000; i++) {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await admin.del(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
    },
    close: async () => {
      admin.disconnect();
      if (child && child.exitCode === null) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGKILL');
        await gone;
      }
    },
  };
}
