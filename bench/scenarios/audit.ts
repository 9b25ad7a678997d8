/**
 * Wall time of the safe (default, non-intrusive) audit profile against a local endpoint, through
 * the `wsguard audit` CLI in a child process on the load-generator core. The value is the
 * report's own durationMs (process start-up excluded). The quick profile shortens the idle,
 * slowloris and slow-consumer waits.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withServer } from '../lib/harness.js';
import { tokenFor } from '../lib/tokens.js';
import type { SystemId, Target } from '../lib/types.js';
import type { Scenario } from './types.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

async function auditArgs(t: Target, idleWaitSec: number | undefined, slowWaitSec: number | undefined): Promise<string[]> {
  const waits = [
    ...(idleWaitSec === undefined ? [] : ['--idle-wait', String(idleWaitSec)]),
    ...(slowWaitSec === undefined ? [] : ['--slow-wait', String(slowWaitSec), '--backpressure-wait', String(slowWaitSec)]),
  ];
  const origin = ['--origin', `http://127.0.0.1:${t.port}`, ...waits];
  const token = ['--token', await tokenFor(t.secret, 'auditor')];
  if (t.system === 'socket.io') return [`ws://127.0.0.1:${t.port}/socket.io/`, '--protocol', 'socket.io', ...origin, ...token];
  if (t.system === 'ws') return [`ws://127.0.0.1:${t.port}/`, ...origin];
  return [`ws://127.0.0.1:${t.port}/ws`, ...origin, ...token, '--subprotocol', 'wsguard.v1'];
}

function runCli(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const node = [process.execPath, '--import', 'tsx', CLI, 'audit', ...args, '--format', 'json'];
  const [cmd, ...rest] = existsSync('/usr/bin/taskset') ? ['taskset', '-c', '1', ...node] : node;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

export const audit: Scenario = {
  id: 'audit',
  metric: 'wall_ms',
  higherIsBetter: false,
  systems: ['wsguard', 'ws', 'socket.io'] satisfies SystemId[],
  maxRepeats: 1,
  run: (ctx, system) =>
    withServer(ctx, { system, scenario: 'audit' }, async (server) => {
      const idleWait = ctx.profile.auditIdleWaitSec;
      const slowWait = ctx.profile.auditSlowWaitSec;
      if (idleWait !== undefined) ctx.notes.add(`audit: --idle-wait ${idleWait} s (the default 5 minutes would dominate the quick profile)`);
      if (slowWait !== undefined) ctx.notes.add(`audit: --slow-wait and --backpressure-wait ${slowWait} s (about 90 s each by default)`);
      const r = await runCli(await auditArgs(server.target, idleWait, slowWait), 900_000);
      if (r.code !== 0 && r.code !== 1) throw new Error(`audit exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      const report = JSON.parse(r.stdout) as { durationMs?: number; checks?: unknown[]; findings?: unknown[] };
      ctx.log(`${system}: ${report.checks?.length ?? 0} checks, ${report.findings?.length ?? 0} findings, process ${Math.round(r.ms)} ms`);
      return [
        { scenario: 'audit', system, metric: 'wall_ms', value: report.durationMs ?? r.ms },
        { scenario: 'audit', system, metric: 'checks', value: report.checks?.length ?? 0 },
        { scenario: 'audit', system, metric: 'findings', value: report.findings?.length ?? 0 },
      ];
    }),
};
