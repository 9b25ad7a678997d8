import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';
import type { InputOptions } from '../../../../src/audit/options.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

// The fixture refuses every handshake from an IP with 10 auth failures in the last minute (429).
async function audit(weak: WeakServerOptions, extra: Partial<InputOptions> = { ipLimitAttempts: 15 }) {
  const s = await startWeakServer(weak);
  servers.push(s);
  const opts: AuditOptionsInput & Partial<InputOptions> = { allowedOrigins: [ALLOWED], credentials: { token: await s.mintToken('alice') }, ...extra };
  return runCheck('WSG-INPUT-04', s.url, opts);
}

test('INPUT-04: throttle keyed on X-Forwarded-For → ban bypassed, finding', async () => {
  const r = await audit({ trustForwardedFor: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-INPUT-04');
  assert.equal(r.findings[0]?.severity, 'medium');
  assert.match(r.findings[0]?.evidence ?? '', /baseline refused: HTTP 429.*X-Forwarded-For: 203\.0\.113\.\d+ \(HTTP 101[^)]*\); X-Real-IP/);
});

test('INPUT-04: throttle keyed on the socket address → pass; no ban → skipped', async () => {
  const ok = await audit({});
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const none = await audit({}, {});
  assert.equal(none.result.status, 'skipped');
  assert.match(none.result.reason ?? '', /--ip-banned/);
});
