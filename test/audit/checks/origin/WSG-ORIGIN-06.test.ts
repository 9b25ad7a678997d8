import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSocketIoServer } from '../../../fixtures/socketio-server.js';
import { startWeakServer } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck, track } from '../../harness.js';

test('ORIGIN-06: socket.io with reflected CORS + credentials → finding on polling and websocket', async () => {
  const s = await startSocketIoServer({ corsEchoWithCredentials: true });
  track(s);
  const r = await runCheck('WSG-ORIGIN-06', s.url, { allowedOrigins: [ALLOWED] });
  assert.equal(r.result.status, 'fail');
  assert.match(r.findings[0]?.evidence ?? '', /Access-Control-Allow-Origin: https:\/\/wsguard-probe\.example/);
});

test('ORIGIN-06: socket.io defaults: no CORS echo on polling, but the websocket transport takes a foreign Origin', async () => {
  const s = await startSocketIoServer();
  track(s);
  const r = await runCheck('WSG-ORIGIN-06', s.url, { allowedOrigins: [ALLOWED] });
  assert.equal(r.findings.length, 1);
  assert.doesNotMatch(r.findings[0]?.evidence ?? '', /polling/);
  assert.match(r.findings[0]?.evidence ?? '', /websocket transport/);
});

test('ORIGIN-06: no Engine.IO endpoint → skipped', async () => {
  const s = await startWeakServer({});
  track(s);
  const r = await runCheck('WSG-ORIGIN-06', s.url, { allowedOrigins: [ALLOWED] });
  assert.equal(r.result.status, 'skipped');
});
