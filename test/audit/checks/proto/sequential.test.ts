/**
 * PROTO-04/05/07/08 send their probes one after another: against a fragile server, concurrent
 * probes blur which one did the damage (the liveness watch names one input). The server answers
 * every request 200 ms late, so probes sent together overlap by that much; one after another
 * they overlap by the few milliseconds a close takes to arrive at most.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { runCheck } from '../../harness.js';

const DELAY_MS = 200;
const spans: Array<{ open: number; close: number }> = [];
const server = http.createServer((_req, res) => { setTimeout(() => res.writeHead(404).end('not found'), DELAY_MS); });
server.on('connection', (s: Socket) => {
  const span = { open: Date.now(), close: Infinity };
  spans.push(span);
  s.on('close', () => { span.close = Date.now(); });
});
const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
server.on('upgrade', (req, socket, head) => {
  setTimeout(() => { if (!socket.destroyed) wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)); }, DELAY_MS);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
after(() => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(); server.closeAllConnections(); server.close(() => resolve()); }));

/** Most connections open at once (beyond a 100 ms grace for a close on its way). */
function maxOverlap(from: number): number {
  const mine = spans.filter((s) => s.open >= from);
  let most = 0;
  for (const s of mine) most = Math.max(most, mine.filter((o) => o.open <= s.open && o.close - 100 > s.open).length);
  return most;
}

for (const id of ['WSG-PROTO-04', 'WSG-PROTO-05', 'WSG-PROTO-07', 'WSG-PROTO-08']) {
  test(`${id}: its probes go out one at a time`, async () => {
    const from = Date.now();
    const r = await runCheck(id, url, { requestTimeoutMs: 3000 });
    assert.notEqual(r.result.status, 'error', r.result.reason);
    assert.notEqual(r.result.status, 'skipped', r.result.reason);
    assert.equal(maxOverlap(from), 1, `${id} had connections open together`);
  });
}
