/** --fail-on counts certain and likely findings; tentative ones only with --strict (issue 17). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { failingFindings } from '../../src/audit/fail-on.js';
import type { AuditReport, Finding } from '../../src/audit/types.js';
import { startWeakServer } from '../fixtures/weak-server.js';
import { ALLOWED } from './harness.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

const finding = (severity: Finding['severity'], confidence: Finding['confidence']): Finding => ({ checkId: 'WSG-X-01', title: 't', severity, confidence, evidence: 'e', remediation: 'r', references: [] });
const report = (findings: Finding[]): AuditReport => ({ tool: 'wsguard', version: '0', target: 'ws://x/', startedAt: '', durationMs: 0, checks: [], findings });

test('failingFindings: severity at or above --fail-on, tentative only when strict', () => {
  const r = report([finding('high', 'tentative'), finding('medium', 'likely'), finding('low', 'certain')]);
  assert.deepEqual(failingFindings(r, 'high').map((f) => f.confidence), []);
  assert.deepEqual(failingFindings(r, 'high', true).map((f) => f.confidence), ['tentative']);
  assert.deepEqual(failingFindings(r, 'medium').map((f) => f.confidence), ['likely']);
  assert.deepEqual(failingFindings(r, 'low').map((f) => f.severity), ['medium', 'low']);
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', ...args], { timeout: 60_000, env: { ...process.env, WSGUARD_DEBUG: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('cli: a tentative high finding exits 0 by default and 1 with --strict; JSON carries the confidence', async () => {
  // INPUT-01 without a render hint: the payload comes back unencoded but nothing says it is rendered → tentative.
  const s = await startWeakServer({ unescapedHtml: true });
  servers.push(s);
  const args = [s.url, '--only', 'WSG-INPUT-01', '--intrusive', '--origin', ALLOWED, '--token', await s.mintToken('alice'), '--message', '{"type":"chat","text":"hello"}', '--format', 'json'];
  const lax = await cli(args);
  const json = JSON.parse(lax.stdout) as { findings: Array<{ checkId: string; severity: string; confidence: string }> };
  assert.deepEqual(json.findings.map((f) => [f.checkId, f.severity, f.confidence]), [['WSG-INPUT-01', 'high', 'tentative']]);
  assert.equal(lax.code, 0, lax.stderr);
  const strict = await cli([...args, '--strict']);
  assert.equal(strict.code, 1, strict.stderr);
});

test('cli: --liveness-window takes positive seconds; a bad value is one line, exit 2', async () => {
  const bad = await cli(['ws://127.0.0.1:1/ws', '--liveness-window', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^wsguard audit: --liveness-window must be a positive number of seconds \(got 'soon'\)/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});
