import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { type Weak, CANARY, audit, logoutCmd } from './setup.js';
import { ALLOWED, loadCheck, track } from '../../harness.js';
import { runAudit } from '../../../../src/audit/runner.js';
import type { CheckModule } from '../../../../src/audit/types.js';
import { startWeakServer } from '../../../fixtures/weak-server.js';

test('SESSION-01: socket kept after logout → finding; closed on logout → pass; no --logout-cmd → skipped', async () => {
  const opts = (s: Weak, t: string) => ({ logoutCmd: logoutCmd(s.httpBase, t), sessionWaitMs: 600 });
  const weak = await audit('WSG-SESSION-01', { keepSocketAfterLogout: true }, opts);
  assert.equal(weak.findings[0]?.severity, 'high');
  const ok = await audit('WSG-SESSION-01', {}, opts);
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const none = await audit('WSG-SESSION-01', {});
  assert.equal(none.result.status, 'skipped');
});

test('SESSION-01 with --logout-token: ends that session only, and the checks on the main session still run', async () => {
  const s = track(await startWeakServer({}));
  const alice = await s.mintToken('alice');
  const bob = await s.mintToken('bob');
  const { report } = await runAudit(new URL(s.url), {
    ...CANARY, intrusive: true, insecure: true, requestTimeoutMs: 3000, canaryWaitMs: 800, allowedOrigins: [ALLOWED],
    credentials: { token: alice }, logoutIdentity: { token: bob }, logoutCmd: logoutCmd(s.httpBase, bob), sessionWaitMs: 600,
  }, { checks: [await loadCheck('WSG-SESSION-01'), await loadCheck('WSG-AUTH-02')], allowFailedBaseline: true });
  const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  assert.equal(byId['WSG-SESSION-01']?.status, 'pass', byId['WSG-SESSION-01']?.reason);
  assert.ok(['pass', 'fail'].includes(byId['WSG-AUTH-02']?.status ?? ''), `AUTH-02 evaluated on alice's session: ${JSON.stringify(byId['WSG-AUTH-02'])}`);
  // Bob's session was the one logged out: alice still connects.
  const res = await connectAs(s.url, alice);
  assert.equal(res, 'open');
});

test('SESSION-01 logging the main session out runs after every other check, so they are not starved of it', async () => {
  const s = track(await startWeakServer({}));
  const alice = await s.mintToken('alice');
  // A check that needs the main session a while into the audit, as the ordinary checks do.
  const later: CheckModule = {
    meta: { id: 'WSG-ORIGIN-98', title: 'later', area: 'ORIGIN', severity: 'low', mode: 'safe', references: ['x'], remediation: 'r', description: 'd' },
    run: async (ctx) => {
      await ctx.sleep(1500);
      const r = await ctx.handshake();
      if (r.response.status !== 101) ctx.report({ confidence: 'certain', evidence: `the main session was refused: HTTP ${r.response.status}` });
    },
  };
  const { report } = await runAudit(new URL(s.url), {
    ...CANARY, intrusive: true, insecure: true, requestTimeoutMs: 3000, canaryWaitMs: 800, allowedOrigins: [ALLOWED],
    credentials: { token: alice }, logoutCmd: logoutCmd(s.httpBase, alice), sessionWaitMs: 600,
  }, { checks: [await loadCheck('WSG-SESSION-01'), later], allowFailedBaseline: true });
  const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  assert.equal(byId['WSG-SESSION-01']?.status, 'pass', byId['WSG-SESSION-01']?.reason);
  assert.deepEqual(report.findings.map((f) => f.evidence), [], 'the main session was still there for the other check');
  assert.equal(await connectAs(s.url, alice), 'refused', 'the logout did happen');
});

function connectAs(url: string, token: string): Promise<'open' | 'refused'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}`, Origin: ALLOWED }, rejectUnauthorized: false });
    ws.on('open', () => { ws.close(); resolve('open'); });
    ws.on('error', () => resolve('refused'));
  });
}
