/**
 * Self-audit: the real `wsguard serve` on its defaults, audited by the real `wsguard audit
 * --intrusive --fail-on medium`. Passes when the auditor exits 0 with no finding of medium or
 * higher; on failure the findings are printed. Runs whatever checks are registered.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { signToken } from '../../src/auth/sign.js';
import { runCli, spawnCli, waitForOutput, type Cli } from '../cli/support.js';

const SECRET = randomBytes(32).toString('base64url');
const dir = mkdtempSync(join(tmpdir(), 'wsguard-self-audit-'));
let serve: Cli | undefined;
after(async () => {
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await Promise.race([serve.exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

interface Finding { checkId: string; severity: string; title: string; evidence: string }
interface Report { checks: { id: string; status: string }[]; findings: Finding[] }

/** Operator options the CLI may not have yet: passed only when `wsguard audit --help` lists them. */
const SHORT_WAITS: Record<string, string> = { '--slow-wait': '15', '--backpressure-wait': '15', '--session-wait': '10', '--session-grace': '5' };
/** Checks that wait minutes without those options; the DoS drills cover the same ground (slowloris, slow consumers). */
const SLOW_WITHOUT: Record<string, string> = { '--slow-wait': 'WSG-LIMIT-07', '--backpressure-wait': 'WSG-LIMIT-08' };

test('self-audit: wsguard audit --intrusive --fail-on medium finds nothing medium or worse in the hub on its defaults', async (t) => {
  serve = spawnCli(['serve'], { WSGUARD_PORT: '0', WSGUARD_LOG_LEVEL: 'silent', WSGUARD_JWT_SECRET: SECRET, WSGUARD_DB: join(dir, 'events.db') });
  const url = (await waitForOutput(serve, /WebSocket (ws:\/\/[^\s,]+)/))[1]!;
  const origin = new URL(url.replace(/^ws/, 'http')).origin; // the hub's own origin: allowed by default
  const perms = { subscribe: ['files:acme', 'files:acme/*'], publish: ['files:acme'] };
  const token = await signToken({ secret: SECRET, sub: 'auditor', perms, ttlSec: 1800 });
  const expired = await signToken({ secret: SECRET, sub: 'auditor', perms, ttlSec: -120 });

  const help = (await runCli(['audit', '--help'])).stdout;
  const extra: string[] = [];
  const skip: string[] = [];
  for (const [flag, value] of Object.entries(SHORT_WAITS)) if (help.includes(flag)) extra.push(flag, value);
  for (const [flag, check] of Object.entries(SLOW_WITHOUT)) if (!help.includes(flag)) skip.push(check);
  const args = [
    'audit', url, '--intrusive', '--fail-on', 'medium', '--format', 'json',
    '--token', token, '--subprotocol', 'wsguard.v1', '--origin', origin, '--expired-token', expired,
    '--canary', JSON.stringify({ type: 'subscribe', id: 'canary', payload: { channel: 'files:acme' } }), '--canary-expect', '"subscribed"',
    '--idle-wait', '40', '--timeout', '90',
    ...extra, ...(skip.length ? ['--skip', skip.join(',')] : []),
  ];
  const r = await runCli(args);
  let report: Report | undefined;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    assert.fail(`no JSON report (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  }
  const serious = report.findings.filter((f) => ['medium', 'high', 'critical'].includes(f.severity));
  const statuses: Record<string, number> = {};
  for (const c of report.checks) statuses[c.status] = (statuses[c.status] ?? 0) + 1;
  t.diagnostic(`${report.checks.length} checks ${JSON.stringify(statuses)}${skip.length ? `, skipped for time: ${skip.join(', ')}` : ''}; findings: ${report.findings.map((f) => `${f.severity} ${f.checkId}`).join(', ') || 'none'}`);
  if (serious.length || r.code !== 0) for (const f of report.findings) console.log(`[${f.severity}] ${f.checkId} ${f.title}\n    ${f.evidence}`);
  assert.deepEqual(serious.map((f) => `${f.severity} ${f.checkId}: ${f.title}`), [], 'no finding of medium or higher');
  assert.equal(r.code, 0, r.stderr.slice(-1000));
  assert.ok(report.checks.some((c) => c.status === 'pass'), 'the audit really ran checks against the hub');
});

test('self-audit: WSG-SESSION-01 against the hub, logging out with wsguard revoke (--logout-cmd): the socket is closed', async (t) => {
  const hub = spawnCli(['serve'], { WSGUARD_PORT: '0', WSGUARD_LOG_LEVEL: 'silent', WSGUARD_JWT_SECRET: SECRET, WSGUARD_DB: join(dir, 'session.db') });
  t.after(async () => {
    if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
    await hub.exited;
  });
  const url = (await waitForOutput(hub, /WebSocket (ws:\/\/[^\s,]+)/))[1]!;
  const http = new URL(url.replace(/^ws/, 'http')).origin;
  const perms = { subscribe: ['files:acme'], publish: [] };
  // Its own subject: revoking it must not pull the rug from the main self-audit's token.
  const token = await signToken({ secret: SECRET, sub: 'auditor-session', perms, ttlSec: 1800 });
  const admin = await signToken({ secret: SECRET, sub: 'ops', perms: { subscribe: [], publish: [], admin: ['revoke'] }, ttlSec: 1800 });
  const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
  const logout = `'${process.execPath}' --import tsx '${main}' revoke --sub auditor-session --url '${http}'`;
  const help = (await runCli(['audit', '--help'])).stdout;
  const r = await runCli([
    'audit', url, '--intrusive', '--only', 'WSG-SESSION-01', '--fail-on', 'medium', '--format', 'json',
    '--token', token, '--subprotocol', 'wsguard.v1', '--origin', http,
    '--canary', JSON.stringify({ type: 'subscribe', id: 'canary', payload: { channel: 'files:acme' } }), '--canary-expect', '"subscribed"',
    '--logout-cmd', logout, ...(help.includes('--session-wait') ? ['--session-wait', '10'] : []), '--timeout', '60',
  ], { WSGUARD_ADMIN_TOKEN: admin });
  const report = JSON.parse(r.stdout) as Report;
  const check = report.checks.find((c) => c.id === 'WSG-SESSION-01');
  t.diagnostic(`WSG-SESSION-01: ${JSON.stringify(check)}`);
  assert.equal(check?.status, 'pass', r.stderr.slice(-1000));
  assert.deepEqual(report.findings, []);
  assert.equal(r.code, 0);
});
