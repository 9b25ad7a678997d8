/**
 * The auditor against real stacks with their defaults (my areas: TLS, ORIGIN, AUTH, SESSION):
 * a plain `ws` server, a `socket.io` server, and the wsguard guard.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { runAudit } from '../../src/audit/runner.js';
import type { AuditReport } from '../../src/audit/types.js';
import { startSocketIoServer } from '../fixtures/socketio-server.js';
import { mintToken, ORIGIN, startGuard } from '../server/helpers.js';

const closers: Array<() => Promise<void>> = [];
after(() => Promise.all(closers.map((c) => c())));

const MY_AREAS = ['TLS', 'ORIGIN', 'AUTH', 'SESSION'];
const FAST = { only: MY_AREAS, requestTimeoutMs: 3000, canaryWaitMs: 800, idleWaitMs: 1000 };
const ids = (r: AuditReport) => r.findings.map((f) => f.checkId);

test('plain ws server with defaults: accepts a foreign Origin, no heartbeat', async () => {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(m)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => { wss.close(); server.closeAllConnections(); await new Promise<void>((r) => server.close(() => r())); });
  const { report } = await runAudit(new URL(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`), { ...FAST, allowedOrigins: ['https://app.example.com'] });
  assert.ok(ids(report).includes('WSG-ORIGIN-01'), JSON.stringify(report.findings));
  assert.ok(ids(report).includes('WSG-SESSION-03'));
  assert.ok(!report.checks.some((c) => c.status === 'error'), JSON.stringify(report.checks.filter((c) => c.status === 'error')));
});

test('socket.io server with defaults: websocket transport accepts a foreign Origin (ORIGIN-01), polling has no CORS echo (no ORIGIN-06)', async () => {
  const s = await startSocketIoServer();
  closers.push(() => s.close());
  const { report } = await runAudit(new URL(s.url), { ...FAST, allowedOrigins: ['https://app.example.com'] });
  assert.ok(ids(report).includes('WSG-ORIGIN-01'));
  assert.equal(report.findings.find((f) => f.checkId === 'WSG-ORIGIN-06'), undefined, JSON.stringify(report.findings));
  assert.ok(!report.checks.some((c) => c.status === 'error'), JSON.stringify(report.checks.filter((c) => c.status === 'error')));
});

test('socket.io server with defaults: no authentication, seen through Engine.IO framing (event with ack)', async () => {
  const s = await startSocketIoServer();
  closers.push(() => s.close());
  const { report } = await runAudit(new URL(s.url), { ...FAST, only: ['WSG-AUTH-01'], canary: '421["whoami"]', canaryExpect: '^431\\[\\{"id"' });
  assert.equal(report.findings[0]?.checkId, 'WSG-AUTH-01', JSON.stringify(report.checks));
  assert.match(report.findings[0]?.evidence ?? '', /431\[/);
});

test('wsguard guard with defaults: no finding of medium or higher', async () => {
  const h = await startGuard();
  closers.push(() => h.close());
  const token = await mintToken({ sub: 'alice' });
  const { report } = await runAudit(new URL(h.url), {
    ...FAST, allowedOrigins: [ORIGIN], credentials: { token }, subprotocols: ['wsguard.v1'],
    canary: JSON.stringify({ type: 'ping', id: 'c-1' }), canaryExpect: '"pong"', intrusive: true, sessionWaitMs: 500,
  });
  const serious = report.findings.filter((f) => ['medium', 'high', 'critical'].includes(f.severity));
  assert.deepEqual(serious, []);
  assert.ok(!report.checks.some((c) => c.status === 'error'), JSON.stringify(report.checks.filter((c) => c.status === 'error')));
  assert.ok(report.checks.filter((c) => c.status === 'pass').length >= 5, JSON.stringify(report.checks));
});
