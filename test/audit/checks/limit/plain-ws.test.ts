/**
 * The honest result of the LIMIT/INPUT/AUTHZ checks against a plain `ws` server with default
 * options (an echo handler is the only application code). What each assertion reflects:
 * - LIMIT-01: ws's default maxPayload is 100 MiB, so 1 MiB + 1 is accepted (medium, safe tier);
 *   with --intrusive 16 MiB + 1 is accepted too (high) and 100 MiB + 1 is closed 1009 from the
 *   header alone, the ws default boundary.
 * - LIMIT-02: ws judges a 64-bit length from the header (> 2^53 − 1 → 1009), so it passes.
 * - LIMIT-03: ws ≥ 8.21 limits fragments (8.23: maxFragments 16 384 → close 1008): pass.
 * - LIMIT-04: ws has permessage-deflate off by default: nothing to bomb, skipped.
 * - LIMIT-09: Node answers too many/too large headers with 400/431 and ws ≥ 8.17.1 does not
 *   crash; ws 8 parses Sec-WebSocket-Protocol/Extensions in linear time: pass.
 * - INPUT-04 and AUTHZ-02 need operator input (an active per-IP ban; a subscribe template and
 *   a foreign id) that a bare echo server cannot have: skipped, never pass.
 * - LIMIT-05/06: ws has no message rate limit and no connection cap of its own: findings.
 * - LIMIT-07 is left out: Node's headersTimeout (60 s, checked every 30 s) closes both slow
 *   handshakes after about 90 s, so it passes at the 120 s default (measured by hand), but a
 *   test may not wait that long and a short window would not show the honest default.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { runAudit } from '../../../../src/audit/runner.js';
import { loadCheck } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('connection', (ws) => {
  // Every ws app needs this listener: without it the protocol errors these probes provoke are
  // an uncaught 'error' event and kill the process (here the test runner would swallow that).
  ws.on('error', () => undefined);
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
await new Promise((r) => wss.once('listening', r));
const url = new URL(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
after(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));

async function audit(ids: string[], intrusive: boolean) {
  const checks = await Promise.all(ids.map((id) => loadCheck(id)));
  const { report } = await runAudit(url, { intrusive, requestTimeoutMs: 3000, canaryWaitMs: 800 }, { checks });
  const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  return { report, status };
}

test('plain ws, safe profile: LIMIT-01 finding (100 MiB default cap); INPUT-04 and AUTHZ-02 skipped', async () => {
  const { report, status } = await audit(['WSG-LIMIT-01', 'WSG-INPUT-04', 'WSG-AUTHZ-02'], false);
  assert.deepEqual(status, { 'WSG-LIMIT-01': 'fail', 'WSG-INPUT-04': 'skipped', 'WSG-AUTHZ-02': 'skipped' });
  assert.equal(report.findings.length, 1);
  assert.equal(report.findings[0]?.severity, 'medium');
  assert.match(report.findings[0]?.evidence ?? '', /1 MiB \+ 1 byte text message was accepted/);
});

test('plain ws, intrusive protocol limits: LIMIT-01 high with the 100 MiB boundary; LIMIT-02/03/09 pass; LIMIT-04 skipped', async () => {
  const { report, status } = await audit(['WSG-LIMIT-01', 'WSG-LIMIT-02', 'WSG-LIMIT-03', 'WSG-LIMIT-04', 'WSG-LIMIT-09'], true);
  assert.deepEqual(status, { 'WSG-LIMIT-01': 'fail', 'WSG-LIMIT-02': 'pass', 'WSG-LIMIT-03': 'pass', 'WSG-LIMIT-04': 'skipped', 'WSG-LIMIT-09': 'pass' });
  assert.equal(report.findings.length, 1);
  assert.equal(report.findings[0]?.severity, 'high', report.findings[0]?.evidence);
  assert.match(report.findings[0]?.evidence ?? '', /16 MiB \+ 1 byte .*100 MiB \+ 1 was closed 1009/);
});

test('plain ws, intrusive app-level limits: LIMIT-05 and LIMIT-06 findings (ws has neither a rate limit nor a connection cap)', async () => {
  const checks = await Promise.all(['WSG-LIMIT-05', 'WSG-LIMIT-06'].map((id) => loadCheck(id)));
  const input: AuditOptionsInput = { intrusive: true, requestTimeoutMs: 3000, canaryWaitMs: 800, canary: 'ping', rateWindowMs: 1000 };
  const { report } = await runAudit(url, input, { checks });
  assert.deepEqual(report.checks.map((c) => [c.id, c.status]), [['WSG-LIMIT-05', 'fail'], ['WSG-LIMIT-06', 'fail']]);
  assert.match(report.findings.find((f) => f.checkId === 'WSG-LIMIT-06')?.evidence ?? '', /^100 concurrent connections/);
});
