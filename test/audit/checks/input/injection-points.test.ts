/**
 * Injection points the operator does not mark: every string leaf of a nested JSON message (array
 * items too, never the type field) and a whole plain-text message. Real servers over real
 * sockets: a plain-text route that looks a host up in SQLite by string concatenation, and a
 * nested-JSON upload route that echoes the path unencoded.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { WebSocketServer } from 'ws';
import { injectionTemplates } from '../../../../src/audit/checks/input/inject.js';
import { runCheck } from '../../harness.js';

const closers: Array<() => Promise<void>> = [];
after(() => Promise.all(closers.map((c) => c())));

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function start(onMessage: (text: string) => string): Promise<string> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(onMessage(m.toString()))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => { wss.close(); server.closeAllConnections(); await new Promise<void>((r) => server.close(() => r())); });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

test('templates: nested string leaves and array items, never the type; plain text replaced and appended to', () => {
  const t = injectionTemplates(['{"type":"file_upload","payload":{"path":"a/b.txt","tags":["x"],"size":3}}', '127.0.0.1', '42["chat",{"msg":"hi"}]', 'null']);
  assert.deepEqual(t, [
    '{"type":"file_upload","payload":{"path":"{{payload}}","tags":["x"],"size":3}}',
    '{"type":"file_upload","payload":{"path":"a/b.txt","tags":["{{payload}}"],"size":3}}',
    '{{payload}}',
    '127.0.0.1{{payload}}',
    '42["chat",{"msg":"{{payload}}"}]',
  ]);
});

test('INPUT-02: a plain-text message is an injection point (SQL built by concatenation → SQLite error)', async () => {
  const db = new Database(':memory:');
  db.exec("CREATE TABLE hosts (addr TEXT, name TEXT); INSERT INTO hosts VALUES ('127.0.0.1', 'localhost')");
  closers.push(async () => { db.close(); });
  const lookup = (safe: boolean) => (text: string) => {
    try {
      const rows = safe ? db.prepare('SELECT name FROM hosts WHERE addr = ?').all(text) : db.prepare(`SELECT name FROM hosts WHERE addr = '${text}'`).all();
      return JSON.stringify({ rows });
    } catch (e) {
      return `error: ${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  const weak = await runCheck('WSG-INPUT-02', await start(lookup(false)), { messages: ['127.0.0.1'] });
  assert.equal(weak.result.status, 'fail', weak.result.reason);
  assert.match(weak.findings[0]?.evidence ?? '', /SQLite error/);
  const safe = await runCheck('WSG-INPUT-02', await start(lookup(true)), { messages: ['127.0.0.1'] });
  assert.equal(safe.result.status, 'pass', safe.result.reason);
});

test('INPUT-01: a string leaf deep in a JSON message is an injection point (path echoed unencoded)', async () => {
  const upload = (encode: boolean) => (text: string) => {
    const m = JSON.parse(text) as { type: string; payload: { path: string } };
    return JSON.stringify({ type: 'uploaded', html: `<a>${encode ? escape(m.payload.path) : m.payload.path}</a>` });
  };
  const message = '{"type":"file_upload","payload":{"path":"a/b.txt","size":3}}';
  const weak = await runCheck('WSG-INPUT-01', await start(upload(false)), { messages: [message] });
  assert.equal(weak.result.status, 'fail', weak.result.reason);
  assert.match(weak.findings[0]?.evidence ?? '', /onerror=wsg1> unencoded in "html"/);
  const safe = await runCheck('WSG-INPUT-01', await start(upload(true)), { messages: [message] });
  assert.equal(safe.result.status, 'pass', safe.result.reason);
  // The type field is never replaced: the server would not route a message whose type is a payload.
  assert.ok(!weak.traffic.entries().some((e) => e.direction === 'out' && /"type":"<img/.test(e.text)));
});
