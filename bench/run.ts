/**
 * `npm run bench [-- --full] [-- --only inbound,fanout]`: runs each scenario against every system
 * in turn (server child on core 0, load generators on core 1), then prints the table and writes
 * bench/results/latest.{json,md} and one SVG chart per scenario.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli } from './lib/args.js';
import type { Context } from './lib/harness.js';
import { Child } from './lib/ipc.js';
import { machine } from './lib/machine.js';
import { barChart } from './lib/svg.js';
import { markdownTable, tableRows } from './lib/table.js';
import type { Run } from './lib/types.js';
import { audit } from './scenarios/audit.js';
import { fanout } from './scenarios/fanout.js';
import { handshake } from './scenarios/handshake.js';
import { idle } from './scenarios/idle.js';
import { inbound } from './scenarios/inbound.js';
import { replay } from './scenarios/replay.js';
import type { Scenario } from './scenarios/types.js';

const ALL: readonly Scenario[] = [idle, handshake, inbound, fanout, replay, audit];

async function main(): Promise<number> {
  const args = parseCli(process.argv.slice(2));
  const scenarios = ALL.filter((s) => args.only.includes(s.id));
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-bench-'));
  const started = Date.now();
  const ctx: Context = {
    profile: args.profile,
    secret: randomBytes(32).toString('base64url'),
    dir,
    notes: new Set(),
    ...(args.cpuProfDir ? { cpuProfDir: args.cpuProfDir } : {}),
    ...(args.heapDir ? { heapDir: args.heapDir } : {}),
    log: (msg) => console.error(`  ${msg}`),
  };
  if (!Child.pinned) ctx.notes.add('taskset not found: server and load generators were not pinned to separate cores');
  const runs: Run[] = [];
  let failures = 0;
  try {
    for (const sc of scenarios) {
      for (const system of sc.systems) {
        const t0 = Date.now();
        console.error(`[${sc.id}] ${system}...`);
        try {
          const rows = await sc.run(ctx, system);
          runs.push(...rows);
          console.error(`[${sc.id}] ${system}: ${rows[0]?.metric} = ${rows[0]?.value.toFixed(1)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        } catch (err) {
          failures++;
          ctx.notes.add(`${sc.id}/${system} failed: ${(err as Error).message}`);
          console.error(`[${sc.id}] ${system} FAILED: ${(err as Error).message}`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const m = machine();
  // Other work on the machine skews throughput (less so the CPU-per-operation figures): record it.
  ctx.notes.add(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) on ${m.cpus} cores`);
  const table = markdownTable(tableRows(scenarios, runs));
  const notes = [...ctx.notes];
  const elapsed = ((Date.now() - started) / 1000).toFixed(0);
  const machineLine = `${m.cpus} × ${m.model}, ${(m.memory / 2 ** 30).toFixed(1)} GiB, Node ${m.node}, ${m.os}`;
  console.log(`\nwsguard benchmarks (${args.profileName} profile, ${elapsed} s) on ${machineLine}\n\n${table}\n`);
  for (const n of notes) console.log(`- ${n}`);

  mkdirSync(args.outDir, { recursive: true });
  writeFileSync(join(args.outDir, 'latest.json'), `${JSON.stringify({ machine: m, profile: args.profileName, date: new Date().toISOString(), notes, runs }, null, 2)}\n`);
  const md = [`# Latest benchmark (${args.profileName} profile)`, '', `Machine: ${machineLine}. Date: ${new Date().toISOString().slice(0, 10)}.`, '', table, '', ...notes.map((n) => `- ${n}`), '', ...scenarios.map((s) => `![${s.id}](${s.id}.svg)`), ''];
  writeFileSync(join(args.outDir, 'latest.md'), md.join('\n'));
  for (const sc of scenarios) {
    const bars = sc.systems.flatMap((system) => runs.filter((r) => r.scenario === sc.id && r.system === system && r.metric === sc.metric).map((r) => ({ system, value: r.value })));
    if (bars.length > 0) writeFileSync(join(args.outDir, `${sc.id}.svg`), barChart(`${sc.id} (${args.profileName})`, sc.metric, sc.higherIsBetter, bars));
  }
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error((err as Error).message);
    process.exit(2);
  },
);
