import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';
import type { LimitOptions } from '../../../../src/audit/options.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function audit(weak: WeakServerOptions, canary: string | null = '{"type":"whoami"}') {
  const s = await startWeakServer(weak);
  servers.push(s);
  const opts: AuditOptionsInput & Partial<LimitOptions> = { allowedOrigins: [ALLOWED], credentials: { token: await s.mintToken('alice') }, canary: canary ?? undefined, rateWindowMs: 1000 };
  return runCheck('WSG-LIMIT-05', s.url, opts);
}

test('LIMIT-05: no rate limit → all 500 answered, finding', async () => {
  const r = await audit({ noRateLimit: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-LIMIT-05');
  assert.equal(r.findings[0]?.severity, 'medium');
  assert.match(r.findings[0]?.evidence ?? '', /^500 messages in \d+ ms on one socket all answered \(500 replies\)/);
});

test('LIMIT-05: 200 per 10 s then error + close 1008 → pass; no message → skipped', async () => {
  const ok = await audit({});
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const none = await audit({ noRateLimit: true }, null);
  assert.equal(none.result.status, 'skipped');
});
