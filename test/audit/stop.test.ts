/**
 * Never end without a report: --max-time and SIGINT/SIGTERM print the report of everything
 * evaluated so far, marked incomplete, and exit 3; the library's stop signal does the same.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { WebSocketServer } from 'ws';
import { runAudit } from '../../src/audit/runner.js';
import type { CheckContext, CheckModule } from '../../src/audit/types.js';
import { caSignedCert, hasOpenssl } from '../fixtures/tls-certs.js';

const dir = mkdtempSync(join(tmpdir(), 'wsg-stop-'));
const closers: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(closers.map((c) => c()));
  rmSync(dir, { recursive: true, force: true });
});

/** A plain `ws` echo server on its defaults (no heartbeat, so the heartbeat watch runs its whole window). */
async function echo(tlsCerts?: { key: string; cert: string }): Promise<string> {
  const server = tlsCerts ? https.createServer(tlsCerts) : http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined); // malformed frames from the PROTO checks must not kill the test process
    ws.on('message', (m) => ws.send(m));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => { wss.close(); server.closeAllConnections(); await new Promise<void>((r) => server.close(() => r())); });
  return `${tlsCerts ? 'wss' : 'ws'}://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function cliArgs(args: string[]): string[] {
  return ['--import', 'tsx', 'src/cli/main.ts', 'audit', ...args];
}

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, cliArgs(args), { timeout: 90_000, env: { ...process.env, WSGUARD_DEBUG: '', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const check = (id: string, run: (ctx: CheckContext) => Promise<void>): CheckModule => ({
  meta: { id, title: id, area: 'SESSION', severity: 'low', mode: 'safe', references: ['x'], remediation: 'r', description: 'd' }, run,
});

test('library: aborting the signal returns the report so far, marked incomplete; nothing is lost', async () => {
  const url = await echo();
  const stop = new AbortController();
  const checks = [
    check('WSG-SESSION-91', async (ctx) => ctx.report({ confidence: 'certain', evidence: 'seen before the stop' })),
    check('WSG-SESSION-92', async (ctx) => { stop.abort(new Error('interrupted by SIGTERM')); await ctx.sleep(60_000); }),
    check('WSG-SESSION-93', async () => undefined),
  ];
  const { report } = await runAudit(new URL(url), { concurrency: 1, requestTimeoutMs: 2000 }, { checks, signal: stop.signal });
  assert.deepEqual(report.incomplete, { reason: 'interrupted by SIGTERM' });
  assert.deepEqual(report.checks.map((c) => [c.id, c.status]), [['WSG-SESSION-91', 'fail'], ['WSG-SESSION-92', 'skipped'], ['WSG-SESSION-93', 'skipped']]);
  assert.match(report.checks[1]?.reason ?? '', /^interrupted: interrupted by SIGTERM/);
  assert.match(report.checks[2]?.reason ?? '', /^not run: interrupted by SIGTERM/);
  assert.equal(report.findings[0]?.evidence, 'seen before the stop');
});

test('library: a finding made after the stop is dropped: an observation cut short claims nothing about its window', async () => {
  const url = await echo();
  const stop = new AbortController();
  const checks = [
    // As a long observation does: it notices the abort, leaves its loop and would report what is "still open".
    check('WSG-SESSION-94', async (ctx) => {
      stop.abort(new Error('--max-time 1 s reached'));
      await ctx.sleep(10).catch(() => undefined);
      ctx.report({ confidence: 'certain', evidence: 'still open after the whole window' });
    }),
  ];
  const { report } = await runAudit(new URL(url), { concurrency: 1, requestTimeoutMs: 2000 }, { checks, signal: stop.signal });
  assert.equal(report.findings.length, 0, JSON.stringify(report.findings));
  assert.equal(report.checks[0]?.status, 'skipped');
  assert.match(report.checks[0]?.reason ?? '', /^interrupted: --max-time 1 s reached/);
});

test('--max-time: the report of what was evaluated, marked incomplete, exit 3', async () => {
  const url = await echo();
  const r = await cli([url, '--max-time', '4', '--format', 'json', '--origin', 'https://app.example.com']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /^wsguard audit: incomplete: --max-time 4 s reached$/m);
  const report = JSON.parse(r.stdout) as { incomplete?: boolean; incompleteReason?: string; checks: Array<{ id: string; status: string; reason?: string }> };
  assert.equal(report.incomplete, true);
  assert.equal(report.incompleteReason, '--max-time 4 s reached');
  assert.ok(report.checks.some((c) => c.status === 'pass' || c.status === 'fail'), 'checks evaluated before the deadline are reported');
  const heartbeat = report.checks.find((c) => c.id === 'WSG-SESSION-03');
  assert.equal(heartbeat?.status, 'skipped');
  assert.match(heartbeat?.reason ?? '', /interrupted: --max-time/);
});

test('SIGTERM mid-audit: the report so far (text, INCOMPLETE) and exit 3', async () => {
  const url = await echo();
  const child = spawn(process.execPath, cliArgs([url, '--origin', 'https://app.example.com']), { env: { ...process.env, WSGUARD_DEBUG: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  // The heartbeat watch alone lasts 30 s: the audit is surely running after the process has started checks.
  await new Promise((r) => setTimeout(r, 4000));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 3, stderr);
  assert.match(stdout, /^INCOMPLETE: interrupted by SIGTERM/m);
  assert.match(stdout, /WSG-SESSION-03 skipped: interrupted: interrupted by SIGTERM/);
  assert.match(stdout.trim().split('\n').at(-1) ?? '', /INCOMPLETE \(interrupted by SIGTERM\)$/);
});

test('NODE_EXTRA_CA_CERTS is trusted for wss:// (as --ca is); --insecure warns', { skip: !hasOpenssl() && 'needs openssl' }, async () => {
  const certs = caSignedCert();
  const url = await echo(certs);
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, certs.ca ?? '');
  const args = [url, '--only', 'WSG-TLS-03', '--format', 'json', '--origin', 'https://app.example.com'];
  const untrusted = await cli(args);
  assert.equal(untrusted.code, 2);
  assert.match(untrusted.stderr, /^wsguard audit: certificate of 127\.0\.0\.1:\d+ not trusted .*give --ca FILE/);
  const env = await cli(args, { NODE_EXTRA_CA_CERTS: caFile });
  assert.equal(env.code, 0, env.stderr);
  assert.equal((JSON.parse(env.stdout) as { checks: Array<{ status: string }> }).checks[0]?.status, 'pass');
  const flag = await cli([...args, '--ca', caFile]);
  assert.equal(flag.code, 0, flag.stderr);
  assert.equal((JSON.parse(flag.stdout) as { checks: Array<{ status: string }> }).checks[0]?.status, 'pass');
  const insecure = await cli([...args, '--insecure']);
  assert.match(insecure.stderr, /warning: --insecure/);
  const report = JSON.parse(insecure.stdout) as { findings: Array<{ checkId: string }> };
  assert.equal(report.findings[0]?.checkId, 'WSG-TLS-03', 'without the CA the certificate is still reported');
});
