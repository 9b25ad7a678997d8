// docs/protocol.md documents every message type and every payload field the schemas define.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CLIENT_MESSAGES, type ServerMessageType } from '../../src/protocol/index.js';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

function rows(heading: string): string[][] {
  const start = doc.indexOf(`## ${heading}`);
  assert.ok(start >= 0, `docs/protocol.md has a "${heading}" section`);
  const out: string[][] = [];
  for (const line of doc.slice(start).split('\n').slice(1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|') || line.startsWith('| ---')) continue;
    out.push(line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
  }
  return out.slice(1);
}

/** `a`, `b?` from a payload cell: the documented field names, optional ones with '?'. */
const fields = (cell: string) => [...cell.matchAll(/`([a-z0-9_]+\??)`/gi)].map((m) => m[1]!);

test('client messages: every type, and each payload\'s fields with their optionality', () => {
  const table = rows('Client messages');
  assert.deepEqual(table.map((r) => r[0]!.replace(/`/g, '')).sort(), Object.keys(CLIENT_MESSAGES).sort());
  for (const [cell, payload] of table.map((r) => [r[0]!.replace(/`/g, ''), r[1]!] as const)) {
    const shape = (CLIENT_MESSAGES[cell as keyof typeof CLIENT_MESSAGES] as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> }).shape;
    const expected = Object.entries(shape).map(([k, s]) => (s.safeParse(undefined).success ? `${k}?` : k));
    assert.deepEqual(fields(payload), expected, cell);
  }
});

// Every server message type, checked against the union at compile time.
const SERVER_TYPES = ['ack', 'error', 'subscribed', 'unsubscribed', 'event', 'pong', 'session.expiring'] as const;
type Missing = Exclude<ServerMessageType, (typeof SERVER_TYPES)[number]>;
const allListed: [Missing] extends [never] ? true : never = true;

test('server messages: every type of the ServerMessage union', () => {
  assert.ok(allListed);
  assert.deepEqual(rows('Server messages').map((r) => r[0]!.replace(/`/g, '')).sort(), [...SERVER_TYPES].sort());
});

test('HTTP API: every route the hub answers is documented', () => {
  const routes = rows('HTTP API (the hub)').map((r) => r[0]!);
  for (const route of ['GET /api/info', 'POST /api/tickets', 'POST /api/channels/{channel}/events', 'POST /api/dev/token', 'GET /healthz', 'GET /metrics', '/favicon.ico']) {
    assert.ok(routes.some((r) => r.replace(/`/g, '').includes(route)), route);
  }
});
