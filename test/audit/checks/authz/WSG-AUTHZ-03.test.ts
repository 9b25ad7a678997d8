import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

const audit = (weak: WeakServerOptions, extra: AuditOptionsInput = {}) =>
  auditWeak('WSG-AUTHZ-03', weak, { messages: ['{"type":"profile.update","name":"Alice"}'], readMessage: '{"type":"profile.get"}', ...extra });

test('AUTHZ-03: every field stored → high finding naming the fields', async () => {
  const r = await audit({ massAssignment: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-AUTHZ-03');
  assert.equal(r.findings[0]?.severity, 'high');
  assert.match(r.findings[0]?.evidence ?? '', /userId="wsg-probe-user".*role="wsg-probe-admin".*isAdmin=true.*price=0\.01/);
});

test('AUTHZ-03: only whitelisted fields stored → pass; no JSON message → skipped', async () => {
  const ok = await audit({});
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const none = await audit({}, { messages: ['hello'] });
  assert.equal(none.result.status, 'skipped');
});
