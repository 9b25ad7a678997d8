/** Starts a hub in a child process (see hub-child.ts) and reads its memory over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GuardOptions } from '../../../src/server/index.js';
import { signToken } from '../../../src/auth/sign.js';
import type { Permissions } from '../../../src/auth/types.js';

const CHILD = fileURLToPath(new URL('./hub-child.ts', import.meta.url));

/** JSON-only guard overrides (they cross a process boundary). */
export type GuardOverrides = Partial<Pick<GuardOptions, 'maxPayload' | 'handshakeRate' | 'authFailures' | 'caps' | 'messageRate' | 'violations' | 'sendHighWaterMark' | 'heartbeatMs' | 'closeGraceMs' | 'maxQueued' | 'idleTimeoutMs'>>;

export interface HubChildConfig {
  readonly secret: string;
  readonly db: string;
  readonly maxConnections?: number;
  readonly guard?: GuardOverrides;
}

export interface MemorySample {
  readonly heapUsed: number;
  readonly rss: number;
  readonly external: number;
  readonly connections: number;
}

export type HubChildMessage =
  | { type: 'ready'; wsUrl: string; url: string; port: number }
  | { type: 'memory'; sample: MemorySample };

export interface HubProcess {
  readonly wsUrl: string;
  readonly url: string;
  readonly port: number;
  readonly secret: string;
  readonly child: ChildProcess;
  token(sub: string, perms: Permissions, ttlSec?: number): Promise<string>;
  /** Heap and RSS of the hub after a forced GC. */
  memory(): Promise<MemorySample>;
  /** True while the child process runs. */
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startHubProcess(opts: { guard?: GuardOverrides; maxConnections?: number } = {}): Promise<HubProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-drill-'));
  const secret = randomBytes(32).toString('base64url');
  const config: HubChildConfig = { secret, db: join(dir, 'events.db'), ...opts };
  const child = fork(CHILD, [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, WSGUARD_DRILL_HUB: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Extract<HubChildMessage, { type: 'ready' }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('hub child did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`hub child exited with ${code}`)));
    child.on('message', (m: HubChildMessage) => {
      if (m.type !== 'ready') return;
      clearTimeout(timer);
      resolve(m);
    });
  });
  return {
    ...ready,
    secret,
    child,
    token: (sub, perms, ttlSec = 600) => signToken({ secret, sub, perms, ttlSec }),
    alive: () => child.exitCode === null && child.signalCode === null,
    memory: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no memory sample within 10 s')), 10_000);
        const on = (m: HubChildMessage) => {
          if (m.type !== 'memory') return;
          clearTimeout(timer);
          child.off('message', on);
          resolve(m.sample);
        };
        child.on('message', on);
        child.send({ type: 'memory' });
      }),
    async stop() {
      if (child.connected) child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
