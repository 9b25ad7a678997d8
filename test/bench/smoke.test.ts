/**
 * Keeps the benchmark harness from rotting: scenarios at tiny sizes, end to end (server and
 * load-generator children, table, JSON, chart). Asserts the output's shape and behaviour, never a speed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Row {
  scenario: string;
  system: string;
  metric: string;
  value: number;
  min: number;
  max: number;
  samples: number[];
}
interface Results {
  machine: { cpus: number; node: string };
  repeats: number;
  load: { start: number[]; end: number[] };
  runs: Row[];
}

function bench(args: string[], timeout: number): { out: string; stdout: string; json: Results } {
  const out = mkdtempSync(join(tmpdir(), 'wsguard-bench-smoke-'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--tiny', ...args, '--out', out], { encoding: 'utf8', timeout });
  assert.equal(r.status, 0, r.stderr);
  return { out, stdout: r.stdout, json: JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Results };
}

test('bench --tiny --only inbound --repeat 2: each system twice, median with min/max and samples, load average recorded', () => {
  const { out, stdout, json } = bench(['--only', 'inbound', '--repeat', '2'], 120_000);
  try {
    assert.ok(json.machine.cpus >= 1 && json.machine.node.startsWith('v'));
    assert.equal(json.repeats, 2);
    assert.equal(json.load.start.length, 3);
    assert.equal(json.load.end.length, 3);
    const systems = json.runs.filter((x) => x.scenario === 'inbound' && x.metric === 'msg_per_s').map((x) => x.system).sort();
    assert.deepEqual(systems, ['socket.io', 'ws', 'wsguard']);
    for (const run of json.runs) {
      assert.ok(Number.isFinite(run.value) && run.value > 0, JSON.stringify(run));
      assert.equal(run.samples.length, 2, JSON.stringify(run));
      assert.ok(run.min <= run.value && run.value <= run.max, JSON.stringify(run));
      assert.equal(run.value, (run.samples[0]! + run.samples[1]!) / 2);
    }
    assert.match(readFileSync(join(out, 'inbound.svg'), 'utf8'), /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(readFileSync(join(out, 'latest.md'), 'utf8'), /\| inbound +\| msg_per_s/);
    assert.match(stdout, /wsguard\/ws/);
    assert.match(stdout, /Load average \(1\/5\/15 min\) at start/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('bench --repeat refuses a bad count with a clear error', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--tiny', '--only', 'inbound', '--repeat', '0'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--repeat: a whole number from 1 to 50/);
});

const noRedisServer = spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status !== 0 && !process.env.WSGUARD_BENCH_REDIS_URL;

test('bench --tiny --only cluster: 3 nodes per system; cutting a node\'s Redis link loses Socket.IO pub/sub deliveries, not wsguard\'s', { skip: noRedisServer && 'needs redis-server on PATH' }, () => {
  const { out, json } = bench(['--only', 'cluster'], 240_000);
  try {
    const value = (system: string, metric: string) => json.runs.find((x) => x.scenario === 'cluster' && x.system === system && x.metric === metric)?.value;
    for (const system of ['wsguard', 'socket.io', 'socket.io-streams']) {
      assert.ok((value(system, 'deliveries_per_s') ?? 0) > 0, system);
      assert.ok(Number.isFinite(value(system, 'redis_cpu_us_per_event')), system);
    }
    assert.equal(value('wsguard', 'lost_deliveries'), 0);
    assert.equal(value('wsguard', 'duplicate_deliveries'), 0);
    // Proves the cut happened: the pub/sub adapter has no way to get those events back.
    assert.ok((value('socket.io', 'lost_deliveries') ?? 0) > 0);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('bench --tiny --only fanout: the floor (bare node:net server) runs beside the others, delivers every event, and gets its own columns and row', () => {
  const { out, stdout, json } = bench(['--only', 'fanout'], 240_000);
  try {
    const value = (system: string, metric: string) => json.runs.find((x) => x.scenario === 'fanout' && x.system === system && x.metric === metric)?.value;
    for (const system of ['wsguard', 'ws', 'socket.io', 'floor']) {
      assert.ok((value(system, 'deliveries_per_s') ?? 0) > 0, system);
      assert.ok((value(system, 'burst_deliveries_per_s') ?? 0) > 0, system);
    }
    assert.match(stdout, /\| +wsguard\/socket\.io +\| +floor +\| +wsguard\/floor +\| target/);
    assert.match(stdout, /\| fanout \(floor\) +\| deliveries_per_s/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
