import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSocketIoServer } from '../../../fixtures/socketio-server.js';
import { ALLOWED, runCheck, track } from '../../harness.js';
import { audit } from './setup.js';

test('SESSION-04: sequential ids and flagless cookie → medium + low; random __Host- cookie → pass', async () => {
  const weak = await audit('WSG-SESSION-04', { sequentialSessionIds: true, insecureCookieFlags: true });
  assert.deepEqual(weak.findings.map((f) => f.severity).sort(), ['low', 'medium']);
  assert.match(weak.findings.find((f) => f.severity === 'medium')?.evidence ?? '', /sequential/);
  const ok = await audit('WSG-SESSION-04', {});
  assert.equal(ok.result.status, 'pass', ok.result.reason);
});

test('SESSION-04: socket.io default sid is random enough', async () => {
  const s = await startSocketIoServer();
  track(s);
  const r = await runCheck('WSG-SESSION-04', s.url, { allowedOrigins: [ALLOWED] });
  assert.equal(r.result.status, 'pass', r.result.reason);
});

test('SESSION-04 helpers: counters are sequential and low-entropy; random hex is not', async () => {
  const { estimateBits, sequential } = await import('../../../../src/audit/checks/session/WSG-SESSION-04.js');
  const { randomBytes } = await import('node:crypto');
  const counters = Array.from({ length: 50 }, (_, i) => String(5000 + i * 3));
  assert.equal(sequential(counters), true);
  assert.ok(estimateBits(counters) < 64);
  const random = Array.from({ length: 50 }, () => randomBytes(16).toString('hex'));
  assert.equal(sequential(random), false);
  assert.ok(estimateBits(random) > 100);
});
