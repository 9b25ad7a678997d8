/**
 * No socket or timer outlives the audit: a target that holds a refused handshake's keep-alive
 * connection open (aiohttp does for 75 s) kept the auditor's process alive long after the report
 * (found by the outsider auditing unseen servers). Checked from both sides of real sockets: the
 * target holds no connection from the auditor once runAudit returns, and the CLI exits soon after
 * printing the report (a generous bound, not a speed assertion).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { runAudit } from '../../src/audit/runner.js';
import { loadChecks } from '../../src/audit/registry.js';
import { startFragileServer } from '../fixtures/fragile-server.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));
const all = await loadChecks();
const auth = { credentials: { token: 'operator-token' }, allowedOrigins: ['https://app.example.com'], requestTimeoutMs: 2000 };

async function settle(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return cond();
}

test('after runAudit the target holds no connection from the auditor (refusals on keep-alive connections included)', async () => {
  const s = await startFragileServer({ keepAliveRefusals: true });
  servers.push(s);
  const checks = all.filter((m) => ['WSG-AUTH-01', 'WSG-ORIGIN-01', 'WSG-PROTO-01'].includes(m.meta.id));
  const { report } = await runAudit(new URL(s.url), auth, { checks });
  assert.equal(report.checks.length, 3);
  assert.ok(s.handshakes >= 3, `the probes reached the target (${s.handshakes})`);
  // The target's side of a socket closes as soon as the auditor's side is gone; give the FINs a moment.
  assert.ok(await settle(() => s.openConnections === 0, 2000), `${s.openConnections} connection(s) still open after the audit`);
});

test('CLI: the process exits soon after printing the report, though the target never closes a refused connection', async () => {
  const s = await startFragileServer({ keepAliveRefusals: true });
  servers.push(s);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', s.url, '--only', 'AUTH-01,ORIGIN-01', '--token', 'operator-token', '--origin', 'https://app.example.com', '--format', 'json'], { env: { ...process.env, WSGUARD_DEBUG: '' } });
  let stdout = '';
  let reportAt = 0;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!reportAt && /\n\}\n?$/.test(stdout)) reportAt = Date.now();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 90_000))]);
  if (code === 'hung') {
    child.kill('SIGKILL');
    assert.fail(reportAt ? `still running ${Date.now() - reportAt} ms after printing the report` : 'no report within 90 s');
  }
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as { checks: Array<{ id: string }> };
  assert.equal(report.checks.length, 2);
  const lingered = Date.now() - reportAt;
  // Before the fix the process stayed as long as the target held the socket (here: for ever).
  assert.ok(lingered < 15_000, `exited ${lingered} ms after the report`);
});
