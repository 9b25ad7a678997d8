/**
 * Keeps the benchmark harness from rotting: one scenario at tiny sizes, end to end (server and
 * load-generator children, table, JSON, chart). Asserts the output's shape, never a speed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('bench --tiny --only inbound writes well-formed results for the three systems', () => {
  const out = mkdtempSync(join(tmpdir(), 'wsguard-bench-smoke-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--tiny', '--only', 'inbound', '--out', out], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as { machine: { cpus: number; node: string }; runs: { scenario: string; system: string; metric: string; value: number }[] };
    assert.ok(json.machine.cpus >= 1 && json.machine.node.startsWith('v'));
    const systems = json.runs.filter((x) => x.scenario === 'inbound' && x.metric === 'msg_per_s').map((x) => x.system).sort();
    assert.deepEqual(systems, ['socket.io', 'ws', 'wsguard']);
    for (const run of json.runs) assert.ok(Number.isFinite(run.value) && run.value > 0, JSON.stringify(run));
    assert.match(readFileSync(join(out, 'inbound.svg'), 'utf8'), /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(readFileSync(join(out, 'latest.md'), 'utf8'), /\| inbound +\| msg_per_s/);
    assert.match(r.stdout, /wsguard\/ws/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
