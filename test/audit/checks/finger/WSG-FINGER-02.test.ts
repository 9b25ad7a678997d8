import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeakServer } from '../../../fixtures/weak-server.js';
import { startLaxServer } from '../../../fixtures/lax-server.js';
import { ALLOWED, runCheck } from '../../harness.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

test('FINGER-02: ws handshake refusals and Gorilla-style close reasons are identified', async () => {
  const weak = await startWeakServer({});
  servers.push(weak);
  const r = await runCheck('WSG-FINGER-02', weak.url, { allowedOrigins: [ALLOWED], credentials: { token: await weak.mintToken('alice') } });
  const f = r.findings[0];
  assert.equal(f?.checkId, 'WSG-FINGER-02');
  assert.equal(f?.severity, 'info');
  assert.equal(f?.confidence, 'likely');
  // Which library, and nothing more (issue 17): no advisory without a version.
  assert.equal(f?.evidence, 'ws (Node.js) identified from HTTP 400 answer "Sec-WebSocket-Version: 13, 8" (seen by WSG-FINGER-02).');
  const lax = await startLaxServer({ reasonStyle: 'gorilla' });
  servers.push(lax);
  const g = await runCheck('WSG-FINGER-02', lax.url);
  assert.match(g.findings[0]?.evidence ?? '', /^Gorilla websocket \(Go\) identified from close 1002 reason "incorrect mask flag"/);
  assert.doesNotMatch(g.findings[0]?.evidence ?? '', /CVE-/);
});

test('FINGER-02: bare statuses and empty close reasons → pass', async () => {
  const lax = await startLaxServer({});
  servers.push(lax);
  const r = await runCheck('WSG-FINGER-02', lax.url);
  assert.equal(r.result.status, 'pass', r.result.reason);
});
