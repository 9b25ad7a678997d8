import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

// The fixture refuses every handshake from an IP with 10 auth failures in the last minute (429).
const audit = (weak: WeakServerOptions, extra: AuditOptionsInput = { ipLimitAttempts: 15 }) => auditWeak('WSG-INPUT-04', weak, extra);

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
