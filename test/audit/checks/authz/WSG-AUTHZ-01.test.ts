import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

// Fixture: user "admin" may run {"type":"admin.*"}; alice is the low-privilege session.
function audit(weak: WeakServerOptions, withHigh = true, extra: AuditOptionsInput = {}) {
  return auditWeak('WSG-AUTHZ-01', weak, async (s) => ({
    privMessages: ['{"type":"admin.deleteUser","id":"bob"}'],
    ...(withHigh ? { privIdentity: { token: await s.mintToken('admin') } } : {}),
    ...extra,
  }));
}

test('AUTHZ-01: admin action runs for a normal user → high finding (certain with the admin session, tentative without)', async () => {
  const r = await audit({ noFunctionAuthz: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-AUTHZ-01');
  assert.equal(r.findings[0]?.severity, 'high');
  assert.equal(r.findings[0]?.confidence, 'certain');
  assert.match(r.findings[0]?.evidence ?? '', /admin\.deleteUser.*→ \{"type":"admin\.ok"/);
  const alone = await audit({ noFunctionAuthz: true }, false);
  assert.equal(alone.findings[0]?.confidence, 'tentative');
});

test('AUTHZ-01: refused with forbidden → pass; no templates → skipped', async () => {
  const ok = await audit({});
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const none = await audit({}, true, { privMessages: [] });
  assert.equal(none.result.status, 'skipped');
});
