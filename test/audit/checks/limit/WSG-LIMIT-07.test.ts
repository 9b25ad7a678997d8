import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';

// Test-sized waits: a header line every 300 ms, watched for 2.5 s (defaults 10 s / 120 s).
const audit = (weak: WeakServerOptions) => auditWeak('WSG-LIMIT-07', weak, { slowHeaderIntervalMs: 300, slowWaitMs: 2500 });

test('LIMIT-07: no handshake deadline → both incomplete handshakes still open, finding', async () => {
  const r = await audit({ slowHandshakeTolerated: true });
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.checkId, 'WSG-LIMIT-07');
  assert.equal(r.findings[0]?.severity, 'medium');
  assert.match(r.findings[0]?.evidence ?? '', /after 2500 ms: one sending a header line every 300 ms; one that sent nothing/);
});

test('LIMIT-07: 1 s handshake deadline → pass', async () => {
  const r = await audit({ handshakeTimeoutMs: 1000 });
  assert.equal(r.result.status, 'pass', r.result.reason);
});
