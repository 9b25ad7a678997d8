import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck } from '../../harness.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function audit(id: string, weak: WeakServerOptions, extra: Record<string, unknown> = {}) {
  const s = await startWeakServer(weak);
  servers.push(s);
  const token = await s.mintToken('alice');
  return runCheck(id, s.url, { allowedOrigins: [ALLOWED], credentials: { token }, ...extra });
}

test('ORIGIN-01: foreign Origin accepted → finding (medium with a bearer token, high with a cookie)', async () => {
  const weak = await audit('WSG-ORIGIN-01', { acceptAnyOrigin: true });
  assert.equal(weak.result.status, 'fail');
  assert.equal(weak.findings[0]?.severity, 'medium');
  const s = await startWeakServer({ acceptAnyOrigin: true, auth: 'cookie' });
  servers.push(s);
  const cookie = await runCheck('WSG-ORIGIN-01', s.url, { allowedOrigins: [ALLOWED], credentials: { cookie: s.createSession('alice') } });
  assert.equal(cookie.findings[0]?.severity, 'high');
  assert.match(cookie.findings[0]?.evidence ?? '', /wsguard-probe\.example/);
});

test('ORIGIN-01: exact allowlist → pass; wrong --origin → skipped, never pass', async () => {
  const ok = await audit('WSG-ORIGIN-01', {});
  assert.equal(ok.result.status, 'pass');
  assert.equal(ok.findings.length, 0);
  const na = await audit('WSG-ORIGIN-01', {}, { allowedOrigins: ['https://other.example.com'] });
  assert.equal(na.result.status, 'skipped');
  assert.match(na.result.reason ?? '', /baseline/);
});

test('ORIGIN-02: null accepted → finding; off → pass', async () => {
  const weak = await audit('WSG-ORIGIN-02', { acceptNullOrigin: true });
  assert.equal(weak.findings[0]?.checkId, 'WSG-ORIGIN-02');
  const ok = await audit('WSG-ORIGIN-02', {});
  assert.equal(ok.result.status, 'pass');
});

test('ORIGIN-03: missing Origin accepted → info; browser-only cookie endpoint → medium; rejected → pass', async () => {
  const info = await audit('WSG-ORIGIN-03', {});
  assert.equal(info.findings[0]?.severity, 'info');
  const s = await startWeakServer({ auth: 'cookie' });
  servers.push(s);
  const bo = await runCheck('WSG-ORIGIN-03', s.url, { allowedOrigins: [ALLOWED], browserOnly: true, credentials: { cookie: s.createSession('bob') } });
  assert.equal(bo.findings[0]?.severity, 'medium');
  const ok = await audit('WSG-ORIGIN-03', { rejectMissingOrigin: true });
  assert.equal(ok.result.status, 'pass');
});

test('ORIGIN-04: suffix, prefix and unescaped-dot matching are each found; exact match passes', async () => {
  for (const sw of ['suffixOriginMatch', 'prefixOriginMatch', 'unescapedDotOriginMatch'] as const) {
    const r = await audit('WSG-ORIGIN-04', { [sw]: true });
    assert.equal(r.result.status, 'fail', sw);
    assert.equal(r.findings[0]?.severity, 'high');
  }
  const ok = await audit('WSG-ORIGIN-04', {});
  assert.equal(ok.result.status, 'pass');
});

test('ORIGIN-05: any subdomain / http scheme → finding; off → pass', async () => {
  const sub = await audit('WSG-ORIGIN-05', { acceptAnySubdomain: true });
  assert.match(sub.findings[0]?.evidence ?? '', /wsguard-probe\.example\.com/);
  const http = await audit('WSG-ORIGIN-05', { acceptHttpScheme: true });
  assert.match(http.findings[0]?.evidence ?? '', /http:\/\/app\.example\.com/);
  const ok = await audit('WSG-ORIGIN-05', {});
  assert.equal(ok.result.status, 'pass');
});
