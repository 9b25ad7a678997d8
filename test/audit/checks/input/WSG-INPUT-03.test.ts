import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';

const audit = (weak: WeakServerOptions, also: string[] = []) => auditWeak('WSG-INPUT-03', weak, { canary: '{"type":"whoami"}', livenessWindowMs: 1500 }, also);

test('INPUT-03: deep nesting "crashes" the server → WSG-LIVE-01 names INPUT-03 and the message; nothing under INPUT-03', async () => {
  const r = await audit({ crashOnHostileJson: true }, ['WSG-LIVE-01']);
  assert.deepEqual(r.findings.map((f) => f.checkId), ['WSG-LIVE-01']);
  assert.equal(r.findings[0]?.severity, 'high');
  assert.match(r.findings[0]?.evidence ?? '', /^After WSG-INPUT-03 \(input: one message \(10 000-deep nesting\); [^)]*text frame \(opcode 0x1\), 19 KiB \+ 544 bytes "\[{48}"…\) the target stopped answering/);
});

test('INPUT-03: __proto__ merged into later replies → prototype pollution finding', async () => {
  const r = await audit({ prototypePollution: true });
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0]?.evidence ?? '', /^Prototype pollution: .*"wsgPolluted":"wsg-pp-[0-9a-f]{8}"/);
});

test('INPUT-03: errors on that socket only, no pollution → pass', async () => {
  const r = await audit({});
  assert.equal(r.result.status, 'pass', r.result.reason);
});
