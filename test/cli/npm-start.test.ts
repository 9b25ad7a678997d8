// `npm start` under a supervisor: SIGTERM to the npm process reaches the hub (the start script execs
// node, so npm's forwarded signal is not stopped by an intermediate shell) and nothing is left running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const built = existsSync(join(ROOT, 'dist/cli/main.js'));

test('SIGTERM to `npm start` stops the hub too (no orphan)', { skip: !built && 'dist/ not built (npm ci builds it)', timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-npm-start-'));
  t.after(() => {
    // If the hub was orphaned (the failure this test looks for), stop it: the one process whose
    // environment names this test's own temp directory, by its pid.
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`WSGUARD_DB=${join(dir, 'events.db')}`)) process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone, or not ours */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const npm = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, WSGUARD_PORT: '0', WSGUARD_DB: join(dir, 'events.db'), WSGUARD_LOG_LEVEL: 'warn' } });
  let out = '';
  npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
  npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  let url: string | undefined;
  while (!url && Date.now() < deadline) {
    url = /wsguard hub on (http:\/\/[^/\s]+)\//.exec(out)?.[1];
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(url, out);
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  npm.kill('SIGTERM');
  await exited;
  // The hub drained and exited: its port no longer answers (polled, bounded).
  let answering = true;
  for (let i = 0; i < 100 && answering; i++) {
    answering = await fetch(`${url}/healthz`).then(() => true, () => false);
    if (answering) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(answering, false, `the hub outlived npm\n${out}`);
  assert.match(out, /SIGTERM, closing connections \(1001\) and draining/);
});
