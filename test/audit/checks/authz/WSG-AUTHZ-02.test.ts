import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

// Fixture: channel user:<name> belongs to <name>; alice is session A, bob the second identity.
function audit(weak: WeakServerOptions, extra: AuditOptionsInput = {}) {
  return auditWeak('WSG-AUTHZ-02', weak, async (s) => ({
    secondIdentity: { token: await s.mintToken('bob') },
    subscribeTemplate: '{"type":"subscribe","channel":"{{id}}"}', ownId: 'user:alice', foreignId: 'user:bob',
    ...extra,
  }));
}

test("AUTHZ-02: another user's channel granted → high finding, certain (same reply the owner gets)", async () => {
  const r = await audit({ noObjectAuthz: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-AUTHZ-02');
  assert.equal(r.findings[0]?.severity, 'high');
  assert.equal(r.findings[0]?.confidence, 'certain');
  assert.match(r.findings[0]?.evidence ?? '', /user:bob → .*private-feed-of-bob/);
});

test('AUTHZ-02: foreign channel refused → pass; no template → skipped', async () => {
  const ok = await audit({});
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const none = await audit({}, { subscribeTemplate: undefined });
  assert.equal(none.result.status, 'skipped');
});
