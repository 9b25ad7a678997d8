/**
 * Honest results: the 14 PROTO/FINGER/LEAK checks against a plain `ws` echo server with
 * default options (ws enforces RFC 6455 framing, so most PROTO checks must find nothing).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { runAudit } from '../../../../src/audit/runner.js';
import { loadCheck } from '../../harness.js';

const IDS = [
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `WSG-PROTO-0${n}`),
  'WSG-FINGER-01', 'WSG-FINGER-02',
  ...[1, 2, 3, 4].map((n) => `WSG-LEAK-0${n}`),
];

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('connection', (ws) => {
  // ws reports each protocol error it closes on; an app without this handler would crash.
  ws.on('error', () => undefined);
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
await new Promise((resolve) => wss.once('listening', resolve));
after(() => new Promise((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(resolve); }));

test('plain ws (defaults): what the PROTO/FINGER/LEAK checks honestly report', async () => {
  const { port } = wss.address() as AddressInfo;
  const checks = await Promise.all(IDS.map((id) => loadCheck(id)));
  const { report } = await runAudit(new URL(`ws://127.0.0.1:${port}/`), { intrusive: true, requestTimeoutMs: 3000 }, { checks });
  const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  const found = Object.fromEntries(report.findings.map((f) => [f.checkId, f]));

  // ws fails the connection (1002/1007) on unmasked frames, bad control/close frames,
  // invalid UTF-8 and fragmentation errors, and has no deflate by default: nothing to report.
  for (const id of ['WSG-PROTO-01', 'WSG-PROTO-03', 'WSG-PROTO-04', 'WSG-PROTO-05', 'WSG-PROTO-08']) assert.equal(status[id], 'pass', id);
  // ws's receiver does not check that the length uses the minimal form: "hello" sent with
  // 0x7E 0x0005 is delivered (RSV bits and reserved opcodes are refused with 1002).
  assert.equal(found['WSG-PROTO-02']?.severity, 'low');
  assert.match(found['WSG-PROTO-02']?.evidence ?? '', /^Tolerated \(expected close 1002\): "hello" with 16-bit length[^;]*\.$/);
  // ws still accepts Sec-WebSocket-Version: 8 (hybi-08: same framing, masking included): info only.
  assert.equal(found['WSG-PROTO-06']?.severity, 'info');
  assert.match(found['WSG-PROTO-06']?.evidence ?? '', /^Sec-WebSocket-Version: 8 \(hybi-08 draft\): HTTP 101 \(/);
  // No proxy in front: a refused upgrade ends the connection (Connection: close).
  assert.equal(status['WSG-PROTO-07'], 'pass');
  // No Server / X-Powered-By headers; but ws's handshake refusals ("Missing or invalid
  // Sec-WebSocket-Version header", "Sec-WebSocket-Version: 13, 8") name the library.
  assert.equal(status['WSG-FINGER-01'], 'pass');
  assert.match(found['WSG-FINGER-02']?.evidence ?? '', /^ws \(Node\.js\) identified/);
  // Close reasons are empty, refusal bodies generic, echoes are our own data: no leaks.
  for (const id of ['WSG-LEAK-01', 'WSG-LEAK-02', 'WSG-LEAK-04']) assert.equal(status[id], 'pass', id);
  // No second identity given.
  assert.equal(status['WSG-LEAK-03'], 'skipped');
  assert.equal(report.findings.length, 3);
});
