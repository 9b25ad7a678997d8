import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLaxServer } from '../../../fixtures/lax-server.js';
import { startFragileServer } from '../../../fixtures/fragile-server.js';
import { runCheck, auditWeak, track } from '../../harness.js';
import { identify } from '../../../../src/audit/checks/finger/WSG-FINGER-02.js';
import type { TrafficEntry } from '../../../../src/audit/types.js';

test('FINGER-02: ws handshake refusals and Gorilla-style close reasons are identified', async () => {
  const r = await auditWeak('WSG-FINGER-02', {});
  const f = r.findings[0];
  assert.equal(f?.checkId, 'WSG-FINGER-02');
  assert.equal(f?.severity, 'info');
  assert.equal(f?.confidence, 'likely');
  // Which library, and nothing more (issue 17): no advisory without a version.
  assert.equal(f?.evidence, 'ws (Node.js) identified from HTTP 400 answer "Sec-WebSocket-Version: 13, 8" (seen by WSG-FINGER-02).');
  const lax = await startLaxServer({ reasonStyle: 'gorilla' });
  track(lax);
  const g = await runCheck('WSG-FINGER-02', lax.url);
  assert.match(g.findings[0]?.evidence ?? '', /^Gorilla websocket \(Go\) identified from close 1002 reason "incorrect mask flag"/);
  assert.doesNotMatch(g.findings[0]?.evidence ?? '', /CVE-/);
});

test('FINGER-02: bare statuses and empty close reasons → pass', async () => {
  const lax = await startLaxServer({});
  track(lax);
  const r = await runCheck('WSG-FINGER-02', lax.url);
  assert.equal(r.result.status, 'pass', r.result.reason);
});

test('FINGER-02: "13, 8, 7" (gevent-websocket, Python) is not ws\'s "13, 8" (found by the outsider auditor)', () => {
  const answer = (versions: string) => [{ checkId: 'WSG-FINGER-01', kind: 'http', direction: 'in', status: 426, text: `HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: ${versions}\r\n` } as TrafficEntry];
  assert.deepEqual([...identify(answer('13, 8, 7')).keys()].map((s) => s.library), []);
  assert.deepEqual([...identify(answer('13, 8')).keys()].map((s) => s.library), ['ws (Node.js)']);
});

test('FINGER-02: ws showing both its signatures (reason and ws 4–6 headers, as on the outsider\'s socket.io 4.6.1) is one library, first sighting kept', () => {
  const traffic = [
    { checkId: 'WSG-PROTO-06', kind: 'http', direction: 'in', status: 400, text: 'HTTP/1.1 400 Bad Request\r\nMissing or invalid Sec-WebSocket-Version header' },
    { checkId: 'WSG-PROTO-06', kind: 'http', direction: 'in', status: 400, text: 'HTTP/1.1 400 Bad Request\nConnection: close\nContent-type: text/html\nContent-Length: 20\n' },
  ] as TrafficEntry[];
  const hits = identify(traffic);
  assert.deepEqual([...hits.keys()].map((s) => s.library), ['ws (Node.js)']);
  assert.match([...hits.values()][0] ?? '', /Missing or invalid Sec-WebSocket-Version header/);
});

test('FINGER-02: its own negative tests leave out those of checks skipped with --skip (an outsider skipped PROTO-01/03 to spare express-ws and FINGER-02 killed it anyway)', async () => {
  const spared = await startFragileServer({ dieOnProtocolError: true });
  track(spared);
  const r = await runCheck('WSG-FINGER-02', spared.url, { skip: ['PROTO-01', 'WSG-PROTO-03'] });
  assert.equal(spared.dead, false, 'no unmasked frame and no close 999 went out');
  assert.notEqual(r.result.status, 'error', r.result.reason);
  // The same check without the skips sends them, and this server dies of them.
  const killed = await startFragileServer({ dieOnProtocolError: true });
  track(killed);
  await runCheck('WSG-FINGER-02', killed.url);
  assert.equal(killed.dead, true);
});

test('FINGER-02: no odd requests of its own once the recorded traffic names the library', async () => {
  const s = await startFragileServer({ dieOnProtocolError: true });
  track(s);
  // FINGER-01's odd-version handshake answers with ws's refusal headers: FINGER-02 needs nothing more.
  const r = await runCheck('WSG-FINGER-02', s.url, {}, ['WSG-FINGER-01']);
  assert.match(r.findings.find((f) => f.checkId === 'WSG-FINGER-02')?.evidence ?? '', /^ws \(Node\.js\) identified/);
  assert.equal(s.dead, false, 'no unmasked frame or close 999 after the library was known');
});

test('FINGER-02: default Server banners name the framework (Mojolicious went unnamed for the outsider auditor)', () => {
  const answer = (server: string) => [{ checkId: 'WSG-FINGER-02', kind: 'http', direction: 'in', status: 101, text: `HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nServer: ${server}\n\n` } as TrafficEntry];
  const named = (server: string) => [...identify(answer(server)).keys()].map((s) => s.library);
  assert.deepEqual(named('Mojolicious (Perl)'), ['Mojolicious (Perl)']);
  assert.deepEqual(named('TornadoServer/6.2'), ['Tornado (Python)']);
  assert.deepEqual(named('Python/3.11 aiohttp/3.8.4'), ['aiohttp (Python)']);
  assert.deepEqual(named('Python/3.11 websockets/10.4'), ['Python websockets']);
  assert.deepEqual(named('nginx'), []);
});
