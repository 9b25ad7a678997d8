/**
 * WSG-LIVE-02: a target that misses the baseline handshake after a check but answers again
 * within the back-off window is slow to recover (low), not crashed (issue 17: servers busy after
 * the connection-cap and flood checks were called crashed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';

const audit = (weak: WeakServerOptions) => auditWeak('WSG-INPUT-03', weak, { canary: '{"type":"whoami"}', livenessWindowMs: 8000 }, ['WSG-LIVE-01', 'WSG-LIVE-02']);

test('LIVE-02: down for about a second, then back → low "slow to recover", no crash', async () => {
  const r = await audit({ crashOnHostileJson: true, crashRecoversAfterMs: 1200 });
  assert.deepEqual(r.findings.map((f) => f.checkId), ['WSG-LIVE-02'], JSON.stringify(r.findings));
  const f = r.findings[0];
  assert.equal(f?.severity, 'low');
  assert.equal(f?.confidence, 'likely');
  assert.match(f?.evidence ?? '', /^After WSG-INPUT-03 \(input: one message \(10 000-deep nesting\); the first input it got no answer to: text frame \(opcode 0x1\), 19 KiB \+ 544 bytes "\[{48}"…\) the target did not complete a baseline handshake .*; it answered again \d+\.\d s later, after \d+ probes?\. Slow to recover, not a crash\.$/);
});

test('LIVE-02: a target that never goes silent → nothing', async () => {
  const r = await audit({});
  assert.equal(r.findings.length, 0);
});
