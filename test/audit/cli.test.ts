/** `wsguard audit` as a process: exit codes, one-line errors, formats, --output. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWeakServer } from '../fixtures/weak-server.js';

const dir = mkdtempSync(join(tmpdir(), 'wsg-cli-'));
const servers: Array<{ close(): Promise<void> }> = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', ...args], { timeout: 60_000, env: { ...process.env, WSGUARD_DEBUG: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function assertOneLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0] ?? '', /^wsguard audit: /);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

test('bad arguments → exit 2 with one line', async () => {
  for (const args of [['--bogus'], [], ['http://example.com/ws'], ['ws://127.0.0.1:1/ws', '--format', 'pdf'], ['ws://127.0.0.1:1/ws', '--fail-on', 'severe'], ['ws://127.0.0.1:1/ws', '--only', 'NOPE-1'], ['ws://127.0.0.1:1/ws', '--timeout', '-3'], ['ws://127.0.0.1:1/ws', '--header', 'novalue']]) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assertOneLine(r.stderr);
  }
});

test('a bad option value → exit 2 with one line naming the flag', async () => {
  for (const [flag, value] of [['--max-conns', '5000'], ['--concurrency', '0'], ['--sleep', '90'], ['--canary-expect', '(']] as const) {
    const r = await cli(['ws://127.0.0.1:1/ws', flag, value]);
    assert.equal(r.code, 2, `${flag} ${value}: ${r.stderr}`);
    assertOneLine(r.stderr);
    assert.match(r.stderr, new RegExp(`^wsguard audit: ${flag}: `), r.stderr);
  }
});

test('unreachable target → exit 2 with one line', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const r = await cli([`ws://127.0.0.1:${port}/ws`]);
  assert.equal(r.code, 2);
  assertOneLine(r.stderr);
  assert.match(r.stderr, /unreachable/);
});

test('findings at or above --fail-on → exit 1; below → exit 0; json and --output', async () => {
  const s = await startWeakServer({ auth: 'cookie', acceptAnyOrigin: true });
  servers.push(s);
  const cookie = s.createSession('alice');
  const base = [s.url, '--only', 'ORIGIN', '--cookie', cookie, '--origin', 'https://app.example.com'];
  const high = await cli([...base, '--format', 'json']);
  assert.equal(high.code, 1, high.stderr);
  const report = JSON.parse(high.stdout) as { findings: Array<{ checkId: string; severity: string }>; checks: Array<{ id: string }> };
  assert.ok(report.findings.some((f) => f.checkId === 'WSG-ORIGIN-01' && f.severity === 'high'));
  assert.ok(report.checks.every((c) => c.id.startsWith('WSG-ORIGIN-')));
  const out = join(dir, 'report.sarif');
  const crit = await cli([...base, '--fail-on', 'critical', '--format', 'sarif', '--output', out]);
  assert.equal(crit.code, 0, crit.stderr);
  assert.equal(crit.stdout, '');
  assert.equal((JSON.parse(readFileSync(out, 'utf8')) as { version: string }).version, '2.1.0');
});

test('--list-checks prints the catalogue', async () => {
  const r = await cli(['--list-checks']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^WSG-TLS-01\s+medium\s+safe\s+Plaintext ws:\/\/ accepted$/m);
});

test('--discover finds /ws on the host and audits it', async () => {
  const s = await startWeakServer({ acceptAnyOrigin: true });
  servers.push(s);
  const r = await cli(['--discover', s.httpBase, '--only', 'WSG-ORIGIN-01', '--token', await s.mintToken('alice'), '--origin', 'https://app.example.com', '--format', 'json', '--fail-on', 'critical']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /discovered: ws:\/\/127\.0\.0\.1:\d+\/ws/);
  const report = JSON.parse(r.stdout) as { target: string; findings: Array<{ checkId: string }> };
  assert.match(report.target, /\/ws$/);
  assert.equal(report.findings[0]?.checkId, 'WSG-ORIGIN-01');
});

test('baseline refused → exit 2 with one line saying why and what to try', async () => {
  const body = 'Missing subprotocol wsguard.v1';
  const server = net.createServer((sock) => sock.once('data', () => sock.end(`HTTP/1.1 400 Bad Request\r\nContent-Length: ${body.length}\r\n\r\n${body}`)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
  const r = await cli([`ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/ws`, '--format', 'json']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '', 'no "No findings." report when nothing was tested');
  assertOneLine(r.stderr);
  assert.match(r.stderr, /baseline handshake got HTTP 400 Bad Request \("Missing subprotocol wsguard\.v1"\), not 101: the server asks for a subprotocol: give --subprotocol NAME/);
});

test('--profile safe|intrusive are the default and --intrusive; an unknown flag is one clear line with the nearest flag', async () => {
  const s = await startWeakServer({ auth: 'cookie', acceptAnyOrigin: true });
  servers.push(s);
  const base = [s.url, '--only', 'WSG-AUTH-06', '--cookie', s.createSession('alice'), '--origin', 'https://app.example.com', '--format', 'json', '--fail-on', 'critical'];
  const statusOf = (stdout: string) => (JSON.parse(stdout) as { checks: Array<{ id: string; reason?: string }> }).checks[0]?.reason ?? '';
  const safe = await cli([...base, '--profile', 'safe']);
  assert.equal(safe.code, 0, safe.stderr);
  assert.match(statusOf(safe.stdout), /intrusive check: enable with --intrusive/);
  const intrusive = await cli([...base, '--profile', 'intrusive']);
  assert.equal(intrusive.code, 0, intrusive.stderr);
  assert.doesNotMatch(statusOf(intrusive.stdout), /enable with --intrusive/);
  for (const [args, line] of [
    [['--profile', 'safe', '--intrusive'], /^wsguard audit: --profile safe contradicts --intrusive/],
    [['--profile', 'paranoid'], /^wsguard audit: --profile must be one of safe, intrusive \(got 'paranoid'\)/],
    [['--intrusiv'], /^wsguard audit: unknown flag --intrusiv; did you mean --intrusive\? \(see 'wsguard audit --help'\)$/],
    [['--qqqqqqqq'], /^wsguard audit: unknown flag --qqqqqqqq \(see 'wsguard audit --help'\)$/],
  ] as const) {
    const r = await cli(['ws://127.0.0.1:1/ws', ...args]);
    assert.equal(r.code, 2, r.stderr);
    assertOneLine(r.stderr);
    assert.match(r.stderr.trim(), line);
    assert.doesNotMatch(r.stderr, /-- "/, 'no broken quoting from Node\'s parseArgs');
  }
});
