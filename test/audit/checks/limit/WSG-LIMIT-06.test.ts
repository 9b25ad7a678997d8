import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';
import type { LimitOptions } from '../../../../src/audit/options.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function audit(weak: WeakServerOptions) {
  const s = await startWeakServer(weak);
  servers.push(s);
  const opts: AuditOptionsInput & Partial<LimitOptions> = { allowedOrigins: [ALLOWED], credentials: { token: await s.mintToken('alice') }, maxConns: 30 };
  return runCheck('WSG-LIMIT-06', s.url, opts);
}

test('LIMIT-06: no connection cap → 30 held, finding', async () => {
  const r = await audit({ noConnectionCap: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-LIMIT-06');
  assert.equal(r.findings[0]?.severity, 'medium');
  assert.match(r.findings[0]?.evidence ?? '', /^30 concurrent connections/);
});

test('LIMIT-06: cap of 12 (503 beyond) → pass', async () => {
  const r = await audit({ maxConnections: 12 });
  assert.equal(r.result.status, 'pass', r.result.reason);
});
