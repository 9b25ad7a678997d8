/**
 * raw-probe's verdicts always say something: a server that closes with a bare close frame (no
 * status code, no reason) made LIMIT-01 print "refused ()" (found by the outsider auditing unseen
 * servers). Against a real server that answers every text message that way.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { describe } from '../../../../src/audit/checks/limit/raw-probe.js';
import { runCheck } from '../../harness.js';

const server = http.createServer();
const wss = new WebSocketServer({ server });
const sockets = new Set<Socket>();
server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
// Every text message is refused with a close frame that has no payload at all.
wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  ws.on('message', () => ws.close());
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
after(async () => {
  wss.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});
const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;

test('describe: a close without a code or reason is still described', () => {
  assert.equal(describe({ kind: 'closed', reason: '' }), 'closed with a close frame that carries no status code');
  assert.equal(describe({ kind: 'closed', code: 1009, reason: '' }), 'closed 1009');
});

test('LIMIT-01: every message closed with a bare close frame → skipped, and the reason says how it was refused', async () => {
  const r = await runCheck('WSG-LIMIT-01', url, { allowedOrigins: ['https://app.example.com'], intrusive: false });
  assert.equal(r.result.status, 'skipped', JSON.stringify(r.result));
  assert.doesNotMatch(r.result.reason ?? '', /\(\)/);
  assert.match(r.result.reason ?? '', /^even a 16-byte text message is refused \(closed with a close frame that carries no status code\)/);
});
