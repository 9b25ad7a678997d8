/**
 * Self-audit: the real `wsguard serve` (over TLS, on its defaults otherwise), audited by the real
 * `wsguard audit --intrusive --fail-on medium` given everything a hub operator can give: the
 * subprotocol, a ticket command, short-lived and expired tokens, a second identity without rights
 * to the first one's channel, a privileged message with a privileged identity, a foreign channel,
 * sample messages, and a revoke command with the session it ends. Passes when nothing is medium
 * or higher and every check is evaluated (pass or fail) except those with nothing to probe on this
 * hub (NOT_APPLICABLE: 7 of 52, so at least 45 evaluated).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { signToken } from '../../src/auth/sign.js';
import { caSignedCert, hasOpenssl } from '../fixtures/tls-certs.js';
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
interface Report { checks: { id: string; status: string; reason?: string }[]; findings: Finding[] }

/**
 * Checks with nothing to probe on this hub, and why: they must be the only ones not evaluated.
 * LEAK-03 needs a read-only message whose answer is per-user data (a whoami); the hub has none, and
 * the canary here (a subscribe to the auditor's channel) is refused for the second identity.
 */
const NOT_APPLICABLE: Record<string, RegExp> = {
  'WSG-TLS-01': /loopback target/,
  'WSG-ORIGIN-06': /no Engine\.IO polling endpoint/,
  'WSG-AUTH-05': /not a first-message-auth endpoint/,
  'WSG-SESSION-04': /no session identifier issued/,
  'WSG-LIMIT-04': /did not negotiate permessage-deflate/,
  'WSG-LIMIT-08': /not enough to test its send queue/,
  'WSG-LEAK-03': /nothing tells B's data apart from A's/,
};

test('self-audit: wsguard audit --intrusive --fail-on medium, given what an operator can give, finds nothing medium or worse and evaluates every check it can', { skip: !hasOpenssl() && 'needs openssl (the hub is served over TLS)' }, async (t) => {
  const certs = caSignedCert();
  for (const [name, pem] of Object.entries({ 'cert.pem': certs.cert, 'key.pem': certs.key, 'ca.pem': certs.ca ?? '' })) writeFileSync(join(dir, name), pem);
  serve = spawnCli(['serve'], {
    WSGUARD_PORT: '0', WSGUARD_LOG_LEVEL: 'silent', WSGUARD_JWT_SECRET: SECRET, WSGUARD_DB: join(dir, 'events.db'),
    WSGUARD_TLS_CERT: join(dir, 'cert.pem'), WSGUARD_TLS_KEY: join(dir, 'key.pem'),
  });
  const url = (await waitForOutput(serve, /WebSocket (wss:\/\/[^\s,]+)/))[1]!;
  const origin = new URL(url.replace(/^ws/, 'http')).origin; // the hub's own origin: allowed by default
  const perms = { subscribe: ['files:acme', 'files:acme/*'], publish: ['files:acme'] };
  const token = await signToken({ secret: SECRET, sub: 'auditor', perms, ttlSec: 1800 });
  const expired = await signToken({ secret: SECRET, sub: 'auditor', perms, ttlSec: -120 });
  const short = await signToken({ secret: SECRET, sub: 'auditor', perms, ttlSec: 20 });
  // B: its own channel only, no right to the auditor's.
  const second = await signToken({ secret: SECRET, sub: 'bob', perms: { subscribe: ['files:bob'], publish: ['files:bob'] }, ttlSec: 1800 });
  // The privileged identity may publish where the auditor may not.
  const priv = await signToken({ secret: SECRET, sub: 'admin', perms: { subscribe: ['files:*'], publish: ['files:*'] }, ttlSec: 1800 });
  // SESSION-01 logs out a session of its own (revoking its subject), so the other checks keep theirs.
  const session = await signToken({ secret: SECRET, sub: 'auditor-logout', perms, ttlSec: 1800 });
  const admin = await signToken({ secret: SECRET, sub: 'ops', perms: { subscribe: [], publish: [], admin: ['revoke'] }, ttlSec: 1800 });
  const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
  const logout = `'${process.execPath}' --import tsx '${main}' revoke --sub auditor-logout --url '${origin}'`;
  const ticketScript = join(dir, 'ticket.mjs');
  writeFileSync(ticketScript, `process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
const r = await fetch(${JSON.stringify(`${origin}/api/tickets`)}, { method: 'POST', headers: { authorization: 'Bearer ${token}', origin: ${JSON.stringify(origin)} } });
const j = await r.json();
if (!j.ticket) { console.error(JSON.stringify(j)); process.exit(1); }
console.log(j.ticket);
`);
  const upload = (channel: string, path: string) => JSON.stringify({ type: 'file_upload', id: 'u1', payload: { channel, path, size: 3, mime: 'text/plain', sha256: 'a'.repeat(64) } });
  const args = [
    'audit', url, '--intrusive', '--fail-on', 'medium', '--format', 'json', '--ca', join(dir, 'ca.pem'),
    '--token', token, '--subprotocol', 'wsguard.v1', '--origin', origin,
    '--expired-token', expired, '--short-token', short,
    '--ticket-cmd', `${JSON.stringify(process.execPath)} ${JSON.stringify(ticketScript)}`, '--ticket-ttl', '30',
    '--second-token', second,
    '--priv-message', upload('files:admin', 'secret/plan.txt'), '--priv-token', priv,
    '--subscribe-template', '{"type":"subscribe","id":"s1","payload":{"channel":"{{id}}"}}', '--own-id', 'files:acme', '--foreign-id', 'files:bob',
    '--message', upload('files:acme', 'reports/q1.txt'), '--mass-assign-message', upload('files:acme', 'reports/q2.txt'),
    '--canary', JSON.stringify({ type: 'subscribe', id: 'canary', payload: { channel: 'files:acme' } }), '--canary-expect', '"subscribed"',
    '--ip-limit-attempts', '30',
    '--logout-cmd', logout, '--logout-token', session,
  ];
  const r = await runCli(args, { WSGUARD_ADMIN_TOKEN: admin, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') });
  let report: Report | undefined;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    assert.fail(`no JSON report (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  }
  const serious = report.findings.filter((f) => ['medium', 'high', 'critical'].includes(f.severity));
  const evaluated = report.checks.filter((c) => c.status === 'pass' || c.status === 'fail');
  const notEvaluated = report.checks.filter((c) => c.status !== 'pass' && c.status !== 'fail');
  t.diagnostic(`${evaluated.length}/${report.checks.length} checks evaluated; not evaluated: ${notEvaluated.map((c) => `${c.id} (${c.status}: ${c.reason ?? ''})`).join('; ')}; findings: ${report.findings.map((f) => `${f.severity} ${f.checkId}`).join(', ') || 'none'}`);
  if (serious.length || r.code !== 0) for (const f of report.findings) console.log(`[${f.severity}] ${f.checkId} ${f.title}\n    ${f.evidence}`);
  assert.deepEqual(serious.map((f) => `${f.severity} ${f.checkId}: ${f.title}`), [], 'no finding of medium or higher');
  assert.equal(r.code, 0, r.stderr.slice(-1000));
  // Every check with something to probe is evaluated; the rest are skipped for the stated reason.
  const unexplained = notEvaluated.filter((c) => !(NOT_APPLICABLE[c.id]?.test(c.reason ?? '') && c.status === 'skipped'));
  assert.deepEqual(unexplained.map((c) => `${c.id} ${c.status}: ${c.reason ?? ''}`), [], 'checks not evaluated for a reason other than the hub having nothing to probe');
  assert.ok(evaluated.length >= report.checks.length - Object.keys(NOT_APPLICABLE).length);
  assert.ok(evaluated.length >= 45, `${evaluated.length} checks evaluated`);
  const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  assert.equal(byId['WSG-SESSION-01']?.status, 'pass', `the revoked session was closed: ${JSON.stringify(byId['WSG-SESSION-01'])}`);
  // The hub is served over TLS here, so the TLS checks see its real profile and certificate.
  assert.equal(byId['WSG-TLS-02']?.status, 'pass', `WSG-TLS-02 (versions and suites) evaluated and passed: ${JSON.stringify(byId['WSG-TLS-02'])}`);
  assert.equal(byId['WSG-TLS-03']?.status, 'pass', `WSG-TLS-03 (certificate) evaluated and passed: ${JSON.stringify(byId['WSG-TLS-03'])}`);
  assert.equal(byId['WSG-TLS-01']?.status, 'skipped', `WSG-TLS-01: ${JSON.stringify(byId['WSG-TLS-01'])}`);
  assert.match(byId['WSG-TLS-01']?.reason ?? '', /loopback target/);
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
