/**
 * `npm run bench [-- --full] [-- --only inbound,fanout] [-- --repeat N]`: runs each scenario
 * against every system, N times interleaved (A B C A B C …, so a change in the machine's load hits
 * every system alike; server child on core 0, load generators on core 1), then prints the table
 * (median, min–max, ratios of medians with their spread, load average at start and end) and writes
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
import { summarize } from './lib/summary.js';
import { markdownTable, tableRows } from './lib/table.js';
import type { Run } from './lib/types.js';
import { audit } from './scenarios/audit.js';
import { cluster } from './scenarios/cluster.js';
import { fanout } from './scenarios/fanout.js';
import { handshake } from './scenarios/handshake.js';
import { idle } from './scenarios/idle.js';
import { inbound } from './scenarios/inbound.js';
import { replay } from './scenarios/replay.js';
import type { Scenario } from './scenarios/types.js';

const ALL: readonly Scenario[] = [idle, handshake, inbound, fanout, replay, cluster, audit];

const loadAverage = () => os.loadavg().map((l) => Number(l.toFixed(2)));

async function main(): Promise<number> {
  const args = parseCli(process.argv.slice(2));
  const scenarios = ALL.filter((s) => args.only.includes(s.id));
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-bench-'));
  const started = Date.now();
  const loadStart = loadAverage();
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
      const repeats = Math.min(args.profile.repeats, sc.maxRepeats ?? Number.POSITIVE_INFINITY);
      if (repeats < args.profile.repeats) ctx.notes.add(`${sc.id}: ${repeats} run per system (not a performance target)`);
      // Interleaved: every system once per round, so drift in the machine's load spreads over all of them.
      for (let round = 1; round <= repeats; round++) {
        for (const system of sc.systems) {
          const t0 = Date.now();
          const tag = `[${sc.id} ${round}/${repeats}] ${system}`;
          console.error(`${tag}...`);
          try {
            const rows = await sc.run(ctx, system);
            runs.push(...rows);
            console.error(`${tag}: ${rows[0]?.metric} = ${rows[0]?.value.toFixed(1)} (${((Date.now() - t0) / 1000).toFixed(1)} s, load ${os.loadavg()[0]!.toFixed(1)})`);
          } catch (err) {
            failures++;
            ctx.notes.add(`${sc.id}/${system} run ${round} failed: ${(err as Error).message}`);
            console.error(`${tag} FAILED: ${(err as Error).message}`);
          }
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const m = machine();
  // Other work on the machine skews throughput (less so the CPU-per-operation figures): record it.
  const load = { start: loadStart, end: loadAverage() };
  const summary = summarize(runs);
  const table = markdownTable(tableRows(scenarios, summary));
  const notes = [...ctx.notes];
  const elapsed = ((Date.now() - started) / 1000).toFixed(0);
  const machineLine = `${m.cpus} × ${m.model}, ${(m.memory / 2 ** 30).toFixed(1)} GiB, Node ${m.node}, ${m.os}`;
  const method = `Each cell: median of ${args.profile.repeats} interleaved run(s) (min–max); ratios: of the medians (widest spread the samples allow). Load average (1/5/15 min) at start ${load.start.join(' / ')}, at end ${load.end.join(' / ')} on ${m.cpus} cores.`;
  console.log(`\nwsguard benchmarks (${args.profileName} profile, ${elapsed} s) on ${machineLine}\n${method}\n\n${table}\n`);
  for (const n of notes) console.log(`- ${n}`);

  mkdirSync(args.outDir, { recursive: true });
  // `runs` keeps its shape ({ scenario, system, metric, value }): value is the median; min, max and samples are added.
  const json = { machine: m, profile: args.profileName, date: new Date().toISOString(), repeats: args.profile.repeats, load, notes, runs: summary };
  writeFileSync(join(args.outDir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  const md = [`# Latest benchmark (${args.profileName} profile)`, '', `Machine: ${machineLine}. Date: ${new Date().toISOString().slice(0, 10)}.`, '', method, '', table, '', ...notes.map((n) => `- ${n}`), '', ...scenarios.map((s) => `![${s.id}](${s.id}.svg)`), ''];
  writeFileSync(join(args.outDir, 'latest.md'), md.join('\n'));
  for (const sc of scenarios) {
    const bars = sc.systems.flatMap((system) => summary.filter((r) => r.scenario === sc.id && r.system === system && r.metric === sc.metric).map((r) => ({ system, value: r.value, min: r.min, max: r.max })));
    if (bars.length > 0) writeFileSync(join(args.outDir, `${sc.id}.svg`), barChart(`${sc.id} (${args.profileName}, median of ${args.profile.repeats})`, sc.metric, sc.higherIsBetter, bars));
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
