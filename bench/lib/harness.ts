/** Starting and stopping the server child and the load generators around one measurement. */
import os from 'node:os';
import { Child } from './ipc.js';
import type { GenSpec } from '../gen.js';
import type { Profile, ServerSpec, Target } from './types.js';

export interface Context {
  readonly profile: Profile;
  readonly secret: string;
  readonly dir: string;
  /** The 100k-event SQLite file (built once, by the replay scenario). */
  replayDb?: string;
  /** Settings that differ from a system's defaults, printed under the table. */
  readonly notes: Set<string>;
  /** When set, server children write a V8 CPU profile there (node --cpu-prof). */
  readonly cpuProfDir?: string;
  /** When set, the idle scenario writes a heap snapshot of each server there. */
  readonly heapDir?: string;
  log(msg: string): void;
}

export interface Server {
  readonly child: Child;
  readonly target: Target;
  mem(): Promise<{ rss: number; heapUsed: number }>;
  /** CPU time the server process used so far, in µs. */
  cpu(): Promise<number>;
}

/** Starts a server child on core `cpu` (with --expose-gc for memory readings); the caller stops `server.child`. */
export async function startServer(ctx: Context, spec: Omit<ServerSpec, 'secret' | 'dir'>, cpu = 0, name = `${spec.scenario}-${spec.system}`): Promise<Server> {
  // One directory per server: tsx's loader thread writes a profile of its own beside the main thread's (the larger file).
  const prof = ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}/${name}`] : [];
  const child = Child.start('server.ts', cpu, { ...spec, secret: ctx.secret, dir: ctx.dir } satisfies ServerSpec, ['--expose-gc', ...prof]);
  try {
    const info = await child.request<{ port: number; notes: string[] }>('info', {}, 60_000);
    for (const n of info.notes) ctx.notes.add(n);
    const target: Target = { system: spec.system, port: info.port, secret: ctx.secret };
    return { child, target, mem: () => child.request('mem'), cpu: () => child.request('cpu') };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/** Runs `fn` against a fresh server child on core 0. */
export async function withServer<T>(ctx: Context, spec: Omit<ServerSpec, 'secret' | 'dir'>, fn: (s: Server) => Promise<T>): Promise<T> {
  const server = await startServer(ctx, spec);
  try {
    return await fn(server);
  } finally {
    await server.child.stop();
  }
}

let generatorBase = 0;

/**
 * Cores the load generators may use: every core but the server's (core 0) when there are more
 * than 2, so the server under test is the bottleneck and not one generator core (on a 2-core
 * machine: core 1). `reserved` cores (the cluster's nodes and Redis) are left out.
 */
export function generatorCores(reserved = 1): string {
  const cpus = os.cpus().length;
  const first = Math.max(1, reserved);
  return cpus - 1 > first ? `${first}-${cpus - 1}` : String(Math.min(first, cpus - 1) || 0);
}

/** Runs `fn` with `count` load generators (on generatorCores()); each gets its own users and source addresses. */
export function withGenerators<T>(target: Target, count: number, fn: (gens: Child[]) => Promise<T>): Promise<T> {
  return withGeneratorsFor(Array.from({ length: count }, () => target), fn);
}

/** One load generator per target, e.g. one per cluster node; `cores` is a taskset list (default generatorCores()). */
export async function withGeneratorsFor<T>(targets: readonly Target[], fn: (gens: Child[]) => Promise<T>, cores = generatorCores()): Promise<T> {
  const gens = targets.map((target) => {
    // Spacing bases keeps users (8 connections each) and source addresses apart between generators and runs.
    const base = (generatorBase += 100_000);
    return Child.start('gen.ts', cores, { target, base } satisfies GenSpec);
  });
  try {
    return await fn(gens);
  } finally {
    await Promise.all(gens.map((g) => g.stop()));
  }
}

/** Splits `total` into `parts` near-equal integers. */
export function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}
