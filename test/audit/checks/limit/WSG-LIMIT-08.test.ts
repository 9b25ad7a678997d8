import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';

// Test-sized stall of 1.5 s (default 120 s); {"type":"stream"} makes the fixture send 256 KiB every 5 ms.
const audit = (weak: WeakServerOptions) => auditWeak('WSG-LIMIT-08', weak, { streamMessage: '{"type":"stream"}', backpressureWaitMs: 1500, requestTimeoutMs: 1500 });

test('LIMIT-08: unbounded send queue → still open with MiBs queued, finding', async () => {
  const r = await audit({ unboundedSendQueue: true });
  assert.equal(r.findings.length, 1, r.result.reason);
  assert.equal(r.findings[0]?.checkId, 'WSG-LIMIT-08');
  assert.equal(r.findings[0]?.severity, 'medium');
  assert.equal(r.findings[0]?.confidence, 'certain', r.findings[0]?.evidence);
  assert.match(r.findings[0]?.evidence ?? '', /socket was still open and \d+ MiB/);
});

test('LIMIT-08: slow consumer dropped above 1 MiB queued → pass', async () => {
  const r = await audit({});
  assert.equal(r.result.status, 'pass', r.result.reason);
});
