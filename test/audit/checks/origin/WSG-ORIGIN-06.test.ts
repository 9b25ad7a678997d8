import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSocketIoServer } from '../../../fixtures/socketio-server.js';
import { startWeakServer } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck } from '../../harness.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

test('ORIGIN-06: socket.io with reflected CORS + credentials → finding on polling and websocket', async () => {
  const s = await startSocketIoServer({ corsEchoWithCredentials: true });
  servers.push(s);
  const r = await runCheck('WSG-ORIGIN-06', s.url, { allowedOrigins: [ALLOWED] });
  assert.equal(r.result.status, 'fail');
  assert.match(r.findings[0]?.evidence ?? '', /Access-Control-Allow-Origin: https:\/\/wsguard-probe\.example/);
});

test('ORIGIN-06: socket.io defaults: no CORS echo on polling, but the websocket transport takes a foreign Origin', async () => {
  const s = await startSocketIoServer();
  servers.push(s);
  const r = await runCheck('WSG-ORIGIN-06', s.url, { allowedOrigins: [ALLOWED] });
  assert.equal(r.findings.length, 1);
  assert.doesNotMatch(r.findings[0]?.evidence ?? '', /polling/);
  assert.match(r.findings[0]?.evidence ?? '', /websocket transport/);
});

test('ORIGIN-06: no Engine.IO endpoint → skipped', async () => {
  const s = await startWeakServer({});
  servers.push(s);
  const r = await runCheck('WSG-ORIGIN-06', s.url, { allowedOrigins: [ALLOWED] });
  assert.equal(r.result.status, 'skipped');
});
