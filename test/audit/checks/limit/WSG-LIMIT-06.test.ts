import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';

const audit = (weak: WeakServerOptions) => auditWeak('WSG-LIMIT-06', weak, { maxConns: 30 });

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
