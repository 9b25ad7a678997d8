/**
 * WSG-LIVE-01: a check's input takes the target down for good → one high finding under LIVE-01
 * naming the check and its input, and nothing under the check itself (issue 17: a crash after
 * INPUT-01's payloads is not an XSS). A target that stays up → nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak } from '../../harness.js';

const audit = (id: string, weak: WeakServerOptions, messages: string[] = []) => auditWeak(id, weak, { canary: '{"type":"whoami"}', messages, livenessWindowMs: 1500 }, ['WSG-LIVE-01', 'WSG-LIVE-02']);

test('LIVE-01: INPUT-01 payloads crash the target → crash under LIVE-01 naming INPUT-01; no XSS claimed', async () => {
  const r = await audit('WSG-INPUT-01', { crashOnMessage: /onerror|onload/ }, ['{"type":"chat","text":"{{payload}}"}']);
  assert.deepEqual(r.findings.filter((f) => f.checkId === 'WSG-INPUT-01'), [], 'INPUT-01 reports only payloads seen unencoded');
  const crash = r.findings.filter((f) => f.checkId === 'WSG-LIVE-01');
  assert.equal(crash.length, 1, JSON.stringify(r.findings));
  assert.equal(crash[0]?.severity, 'high');
  assert.equal(crash[0]?.confidence, 'certain');
  assert.equal(crash[0]?.title, 'Target stopped answering after a probe (crash)');
  assert.match(crash[0]?.evidence ?? '', /^After WSG-INPUT-01 \(input: the script payloads; the first input it got no answer to: text frame \(opcode 0x1\), \d+ bytes "\{\\"type\\":\\"chat\\".*(onerror|onload).*\) the target stopped answering: no answer to \d+ baseline handshakes over \d+\.\d s/);
  assert.match(crash[0]?.evidence ?? '', /still down at the end of the audit/);
  assert.equal(r.findings.filter((f) => f.checkId === 'WSG-LIVE-02').length, 0);
  // The check that ran into the dead target proves nothing: never reported as a pass (an outsider saw
  // every later check "pass" against a crashed server).
  assert.notEqual(r.result.status, 'pass');
  // It ran alone and took the target down: not judged (LIVE-01 carries the crash).
  assert.equal(r.result.status, 'skipped');
  assert.equal(r.result.reason, 'not judged: the target went down during this check (see WSG-LIVE-01)');
});

test('LIVE-01: INPUT-03 deep nesting crashes the target → LIVE-01 names INPUT-03 and the message', async () => {
  const r = await audit('WSG-INPUT-03', { crashOnHostileJson: true });
  assert.deepEqual(r.findings.map((f) => f.checkId), ['WSG-LIVE-01']);
  assert.match(r.findings[0]?.evidence ?? '', /^After WSG-INPUT-03 \(input: one message \(10 000-deep nesting\); the first input it got no answer to: text frame \(opcode 0x1\), \d+ KiB/);
});

test('LIVE-01: a target that keeps answering → pass, no liveness finding', async () => {
  const r = await audit('WSG-INPUT-03', {});
  assert.equal(r.findings.length, 0, JSON.stringify(r.findings));
  assert.equal(r.traffic.entries().filter((e) => e.checkId === 'WSG-LIVE-01' && e.kind === 'http').length > 0, true, 'the watch did probe');
});

test('LIVE-01: a check that does not watch liveness itself (AUTH-01) → the runner names the message the target never answered', async () => {
  const r = await audit('WSG-AUTH-01', { auth: 'none', crashOnMessage: /whoami/ });
  const crash = r.findings.filter((f) => f.checkId === 'WSG-LIVE-01');
  assert.equal(crash.length, 1, JSON.stringify(r.findings));
  assert.match(crash[0]?.evidence ?? '', /^After WSG-AUTH-01 \(input: the first input it got no answer to: text frame \(opcode 0x1\), 17 bytes "\{\\"type\\":\\"whoami\\"\}"/);
});
