import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

const CANARY = { canary: '{"type":"whoami"}', canaryExpect: 'protected-data-of-' };

type Weak = Awaited<ReturnType<typeof startWeakServer>>;

async function audit(id: string, weak: WeakServerOptions, extra: (s: Weak, token: string) => AuditOptionsInput | Promise<AuditOptionsInput> = () => ({})) {
  const s = await startWeakServer(weak);
  servers.push(s);
  const token = await s.mintToken('alice');
  return runCheck(id, s.url, { allowedOrigins: [ALLOWED], credentials: { token }, ...CANARY, ...(await extra(s, token)) });
}

test('AUTH-01: no auth → finding; bearer required → pass; no canary on an open endpoint → skipped', async () => {
  const weak = await audit('WSG-AUTH-01', { auth: 'none' });
  assert.equal(weak.findings[0]?.severity, 'high');
  assert.equal(weak.findings[0]?.confidence, 'certain');
  const ok = await audit('WSG-AUTH-01', {});
  assert.equal(ok.result.status, 'pass');
  const unknown = await audit('WSG-AUTH-01', { auth: 'none' }, () => ({ canary: undefined, canaryExpect: undefined }));
  assert.equal(unknown.result.status, 'skipped');
});

test('AUTH-02: alg none / ignored signature / ignored expiry → critical finding; verified JWT → pass', async () => {
  const none = await audit('WSG-AUTH-02', { acceptAlgNone: true });
  assert.equal(none.findings[0]?.severity, 'critical');
  assert.match(none.findings[0]?.evidence ?? '', /alg: none/);
  const sig = await audit('WSG-AUTH-02', { ignoreSignature: true });
  assert.match(sig.findings[0]?.evidence ?? '', /signature byte flipped/);
  const s = await startWeakServer({ ignoreExpiry: true });
  servers.push(s);
  const exp = await runCheck('WSG-AUTH-02', s.url, { allowedOrigins: [ALLOWED], credentials: { token: await s.mintToken('alice') }, expiredToken: await s.mintToken('alice', -60), ...CANARY });
  assert.match(exp.findings[0]?.evidence ?? '', /expired token/);
  const ok = await audit('WSG-AUTH-02', {}, (_s, _t) => ({}));
  assert.equal(ok.result.status, 'pass');
});

test('AUTH-02: token for another audience accepted → finding; audience checked → pass', async () => {
  const other = (s: Weak) => s.mintToken('alice', 3600, 'other-api');
  const weak = await audit('WSG-AUTH-02', { audience: 'this-api', ignoreAudience: true }, async (s) => ({ otherAudienceToken: await other(s) }));
  assert.match(weak.findings[0]?.evidence ?? '', /another audience/);
  const ok = await audit('WSG-AUTH-02', { audience: 'this-api' }, async (s) => ({ otherAudienceToken: await other(s) }));
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});

test('AUTH-02: without a canary a 101 for a forged token counts (anonymous gets 401)', async () => {
  const r = await audit('WSG-AUTH-02', { acceptAlgNone: true }, () => ({ canary: undefined, canaryExpect: undefined }));
  assert.equal(r.findings[0]?.confidence, 'likely');
});

test('AUTH-03: token accepted in the query → finding; refused → pass', async () => {
  const weak = await audit('WSG-AUTH-03', { acceptQueryToken: true });
  assert.equal(weak.findings[0]?.checkId, 'WSG-AUTH-03');
  assert.match(weak.findings[0]?.evidence ?? '', /\?token=/);
  const ok = await audit('WSG-AUTH-03', {});
  assert.equal(ok.result.status, 'pass');
});

function ticketCmd(httpBase: string, token: string): string {
  if (existsSync('/usr/bin/curl')) return `curl -sf -X POST -H 'authorization: Bearer ${token}' ${httpBase}/api/tickets | ${JSON.stringify(process.execPath)} -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).ticket))"`;
  const js = `fetch('${httpBase}/api/tickets',{method:'POST',headers:{authorization:'Bearer ${token}'}}).then(r=>r.json()).then(j=>console.log(j.ticket))`;
  return `${JSON.stringify(process.execPath)} -e ${JSON.stringify(js)}`;
}

test('AUTH-04: reusable ticket and non-expiring ticket → findings; single-use short ticket → pass', async () => {
  const reuse = await audit('WSG-AUTH-04', { auth: 'ticket', ticketReusable: true }, (s, t) => ({ ticketCmd: ticketCmd(s.httpBase, t) }));
  assert.match(reuse.findings[0]?.evidence ?? '', /accepted twice/);
  const late = await audit('WSG-AUTH-04', { auth: 'ticket', ticketNoExpiry: true, ticketTtlMs: 3000 }, (s, t) => ({ ticketCmd: ticketCmd(s.httpBase, t), ticketTtlMs: 3000, lateMarginMs: 300 }));
  assert.equal(late.findings[0]?.severity, 'high');
  const ok = await audit('WSG-AUTH-04', { auth: 'ticket', ticketTtlMs: 3000 }, (s, t) => ({ ticketCmd: ticketCmd(s.httpBase, t), ticketTtlMs: 3000, lateMarginMs: 300 }));
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const none = await audit('WSG-AUTH-04', {});
  assert.equal(none.result.status, 'skipped');
});

test('AUTH-05: no auth window and pre-auth processing → findings; bounded window → pass', async () => {
  const fm = (s: unknown, token: string): AuditOptionsInput => ({ credentials: { token, tokenIn: 'message' }, authWindowMs: 1200 });
  const open = await audit('WSG-AUTH-05', { auth: 'first-message', noAuthTimeout: true, authTimeoutMs: 300 }, fm);
  assert.equal(open.findings.length, 1);
  assert.equal(open.findings[0]?.severity, 'medium');
  const pre = await audit('WSG-AUTH-05', { auth: 'first-message', processPreAuthMessages: true, authTimeoutMs: 300 }, fm);
  assert.equal(pre.findings[0]?.severity, 'high');
  const ok = await audit('WSG-AUTH-05', { auth: 'first-message', authTimeoutMs: 300 }, fm);
  assert.equal(ok.result.status, 'pass');
  const hs = await audit('WSG-AUTH-05', {});
  assert.equal(hs.result.status, 'skipped');
});

test('AUTH-06: no throttle → finding; 429 after 10 failures → pass', async () => {
  const weak = await audit('WSG-AUTH-06', { noAuthThrottle: true });
  assert.equal(weak.findings[0]?.checkId, 'WSG-AUTH-06');
  const ok = await audit('WSG-AUTH-06', {});
  assert.equal(ok.result.status, 'pass');
});

test('AUTH-01: protected data pushed without being asked → finding (no canary needed)', async () => {
  const r = await audit('WSG-AUTH-01', { auth: 'none', pushOnConnect: true }, () => ({ canary: undefined }));
  assert.match(r.findings[0]?.evidence ?? '', /unsolicited push/);
});
