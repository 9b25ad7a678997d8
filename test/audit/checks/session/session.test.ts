import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { startSocketIoServer } from '../../../fixtures/socketio-server.js';
import { ALLOWED, runCheck } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

const CANARY = { canary: '{"type":"whoami"}', canaryExpect: 'protected-data-of-' };
type Weak = Awaited<ReturnType<typeof startWeakServer>>;

async function audit(id: string, weak: WeakServerOptions, extra: (s: Weak, token: string) => Promise<AuditOptionsInput> | AuditOptionsInput = () => ({})) {
  const s = await startWeakServer(weak);
  servers.push(s);
  const token = await s.mintToken('alice');
  return runCheck(id, s.url, { allowedOrigins: [ALLOWED], credentials: { token }, ...CANARY, ...(await extra(s, token)) });
}

function logoutCmd(httpBase: string, token: string): string {
  const js = `fetch('${httpBase}/logout',{method:'POST',headers:{authorization:'Bearer ${token}'}}).then(r=>process.exit(r.ok?0:1))`;
  return `${JSON.stringify(process.execPath)} -e ${JSON.stringify(js)}`;
}

test('SESSION-01: socket kept after logout → finding; closed on logout → pass; no --logout-cmd → skipped', async () => {
  const opts = (s: Weak, t: string) => ({ logoutCmd: logoutCmd(s.httpBase, t), sessionWaitMs: 600 });
  const weak = await audit('WSG-SESSION-01', { keepSocketAfterLogout: true }, opts);
  assert.equal(weak.findings[0]?.severity, 'high');
  const ok = await audit('WSG-SESSION-01', {}, opts);
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const none = await audit('WSG-SESSION-01', {});
  assert.equal(none.result.status, 'skipped');
});

test('SESSION-02: socket outlives exp → finding; closed at exp → pass', async () => {
  const opts = async (s: Weak) => ({ shortToken: await s.mintToken('alice', 2), sessionGraceMs: 300 });
  const weak = await audit('WSG-SESSION-02', { keepSocketAfterExpiry: true }, opts);
  assert.equal(weak.findings[0]?.severity, 'medium');
  const ok = await audit('WSG-SESSION-02', {}, opts);
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});

test('SESSION-03: no heartbeat → finding; pings → pass', async () => {
  const weak = await audit('WSG-SESSION-03', { noHeartbeat: true }, () => ({ idleWaitMs: 800 }));
  assert.equal(weak.findings[0]?.severity, 'low');
  const ok = await audit('WSG-SESSION-03', { heartbeatMs: 200 }, () => ({ idleWaitMs: 5000 }));
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});

test('SESSION-04: sequential ids and flagless cookie → medium + low; random __Host- cookie → pass', async () => {
  const weak = await audit('WSG-SESSION-04', { sequentialSessionIds: true, insecureCookieFlags: true });
  assert.deepEqual(weak.findings.map((f) => f.severity).sort(), ['low', 'medium']);
  assert.match(weak.findings.find((f) => f.severity === 'medium')?.evidence ?? '', /sequential/);
  const ok = await audit('WSG-SESSION-04', {});
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});

test('SESSION-04: socket.io default sid is random enough', async () => {
  const s = await startSocketIoServer();
  servers.push(s);
  const r = await runCheck('WSG-SESSION-04', s.url, { allowedOrigins: [ALLOWED] });
  assert.equal(r.result.status, 'pass', r.result.reason);
});

test('SESSION-04 helpers: counters are sequential and low-entropy; random hex is not', async () => {
  const { estimateBits, sequential } = await import('../../../../src/audit/checks/session/WSG-SESSION-04.js');
  const { randomBytes } = await import('node:crypto');
  const counters = Array.from({ length: 50 }, (_, i) => String(5000 + i * 3));
  assert.equal(sequential(counters), true);
  assert.ok(estimateBits(counters) < 64);
  const random = Array.from({ length: 50 }, () => randomBytes(16).toString('hex'));
  assert.equal(sequential(random), false);
  assert.ok(estimateBits(random) > 100);
});
