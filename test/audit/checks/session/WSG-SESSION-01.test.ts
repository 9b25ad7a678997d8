import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { type Weak, CANARY, audit, logoutCmd } from './setup.js';
import { ALLOWED, loadCheck, track } from '../../harness.js';
import { runAudit } from '../../../../src/audit/runner.js';
import { MemoryTrafficRecorder } from '../../../../src/audit/traffic.js';
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
  const traffic = new MemoryTrafficRecorder();
  const { report } = await runAudit(new URL(s.url), {
    ...CANARY, intrusive: true, insecure: true, requestTimeoutMs: 3000, canaryWaitMs: 800, allowedOrigins: [ALLOWED],
    credentials: { token: alice }, logoutCmd: logoutCmd(s.httpBase, alice), sessionWaitMs: 600,
  }, { checks: [await loadCheck('WSG-SESSION-01'), await loadCheck('WSG-AUTH-02'), await loadCheck('WSG-ORIGIN-01')], traffic, allowFailedBaseline: true });
  const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  assert.equal(byId['WSG-SESSION-01']?.status, 'pass', byId['WSG-SESSION-01']?.reason);
  for (const id of ['WSG-AUTH-02', 'WSG-ORIGIN-01']) assert.ok(['pass', 'fail'].includes(byId[id]?.status ?? ''), `${id} evaluated: ${JSON.stringify(byId[id])}`);
  const order = traffic.entries().map((e) => e.checkId);
  const first = order.indexOf('WSG-SESSION-01');
  assert.ok(first >= 0 && order.slice(first).every((id) => id === 'WSG-SESSION-01'), `SESSION-01's traffic comes after every other check's: ${[...new Set(order)].join(' → ')}`);
  assert.equal(await connectAs(s.url, alice), 'refused', 'the logout did happen');
});

function connectAs(url: string, token: string): Promise<'open' | 'refused'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}`, Origin: ALLOWED }, rejectUnauthorized: false });
    ws.on('open', () => { ws.close(); resolve('open'); });
    ws.on('error', () => resolve('refused'));
  });
}
