import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { runCheck, auditWeak } from '../../harness.js';
import { corpusCase, withTarget } from '../../../corpus/start.js';

const audit = (weak: WeakServerOptions, also: string[] = []) => auditWeak('WSG-LIMIT-09', weak, { livenessWindowMs: 1500 }, also);

test('LIMIT-09: > 2000 headers "crash" the server → WSG-LIVE-01 names LIMIT-09 and the input; nothing under LIMIT-09', async () => {
  const r = await audit({ crashOnHeaderAbuse: true }, ['WSG-LIVE-01']);
  assert.deepEqual(r.findings.map((f) => f.checkId), ['WSG-LIVE-01']);
  assert.equal(r.findings[0]?.severity, 'high');
  assert.match(r.findings[0]?.evidence ?? '', /^After WSG-LIMIT-09 \(input: \(a\) 2 100 headers before Upgrade .*\) the target stopped answering/);
});

test('LIMIT-09: extension parsing slows down with \\c repeats → latency finding', async () => {
  const r = await audit({ slowExtensionParsing: true });
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0]?.evidence ?? '', /\(d\) Sec-WebSocket-Extensions with 28 vs 2 \\c repeats/);
  assert.doesNotMatch(r.findings[0]?.evidence ?? '', /\(c\)/);
});

test('LIMIT-09: Node + ws (400/431, flat latency) → pass', async () => {
  const r = await audit({});
  assert.equal(r.result.status, 'pass', r.result.reason);
});

const faye = corpusCase('faye');
test('LIMIT-09 on faye-websocket 0.11.3 + websocket-extensions 0.1.3 (npm): the CVE-2020-7662 ReDoS is found, and the server is left answering', { skip: faye.skip }, async () => {
  await withTarget(faye.target, async (url, running) => {
    const r = await runCheck('WSG-LIMIT-09', url, { ...faye.target.audit, livenessWindowMs: 5000 });
    assert.equal(r.findings.length, 1, JSON.stringify(r.result));
    assert.match(r.findings[0]?.evidence ?? '', /\(d\) Sec-WebSocket-Extensions with \d+ vs 2 \\c repeats/);
    assert.ok(running.alive());
  });
});
