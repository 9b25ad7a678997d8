import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSocketIoServer } from '../../../fixtures/socketio-server.js';
import { startWeakServer } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck, track } from '../../harness.js';

test('ORIGIN-06: socket.io with reflected CORS + credentials → high finding on the polling response', async () => {
  const s = await startSocketIoServer({ corsEchoWithCredentials: true });
  track(s);
  const r = await runCheck('WSG-ORIGIN-06', s.url, { allowedOrigins: [ALLOWED] });
  assert.equal(r.result.status, 'fail');
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]?.severity, 'high');
  assert.match(r.findings[0]?.evidence ?? '', /polling with Origin: .*Access-Control-Allow-Origin: https:\/\/wsguard-probe\.example, Access-Control-Allow-Credentials: true/);
  assert.doesNotMatch(r.findings[0]?.evidence ?? '', /101|websocket transport/);
});

test('ORIGIN-06: socket.io defaults (no CORS headers on polling) → pass, though the websocket transport takes a foreign Origin (ORIGIN-01\'s finding)', async () => {
  const s = await startSocketIoServer();
  track(s);
  const r = await runCheck('WSG-ORIGIN-06', s.url, { allowedOrigins: [ALLOWED] });
  assert.deepEqual(r.findings.map((f) => `${f.severity}/${f.confidence}: ${f.evidence}`), []);
  assert.equal(r.result.status, 'pass', r.result.reason);
});

test('ORIGIN-06: no Engine.IO endpoint → skipped', async () => {
  const s = await startWeakServer({});
  track(s);
  const r = await runCheck('WSG-ORIGIN-06', s.url, { allowedOrigins: [ALLOWED] });
  assert.equal(r.result.status, 'skipped');
});
