import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';

const audit = (weak: WeakServerOptions, canary: string | null = '{"type":"whoami"}') => auditWeak('WSG-LIMIT-05', weak, { canary: canary ?? undefined, rateWindowMs: 1000 });

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
