/**
 * The one HTTP bearer check (src/server/http-auth.ts), attacked over real HTTP on a hub: an attacker
 * sharing the victims' IP empties its failed-auth bucket; valid tokens from that IP still get
 * tickets, publish and revoke (only failures are throttled, as at the WebSocket gate).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Permissions } from '../../src/auth/types.js';
import { startTestHub, removeDir, ALICE, token, upload } from '../hub/support.js';

const ADMIN: Permissions = { subscribe: [], publish: [], admin: ['revoke'] };

test('a throttled IP: failures answer 429, a valid token still gets a ticket, publishes and revokes', async (t) => {
  const hub = await startTestHub();
  t.after(async () => {
    await hub.close(1000);
    removeDir(hub.dir);
  });
  const post = (path: string, bearer: string | undefined, body?: unknown) =>
    fetch(hub.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer !== undefined ? { authorization: `Bearer ${bearer}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const forged = (await token('mallory', ALICE)).slice(0, -4) + 'AAAA';
  // The attacker empties 127.0.0.1's failed-auth bucket (burst 10 by default), then is answered 429.
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await post('/api/revocations', forged, { sub: 'x' })).status);
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
  assert.deepEqual(statuses.slice(10), [429, 429]);

  // Browser users behind the same address are not locked out.
  const alice = await token('alice', ALICE);
  const ticket = await post('/api/tickets', alice);
  assert.equal(ticket.status, 200);
  assert.ok(((await ticket.json()) as { ticket?: string }).ticket);
  assert.equal((await post('/api/channels/files%3Aacme/events', alice, { type: 'file_upload', payload: upload('files:acme', 'shared-nat.pdf') })).status, 201);
  assert.equal((await post('/api/revocations', await token('ops', ADMIN), { sub: 'mallory' })).status, 200);

  // Failures stay throttled: a bad token, and no token at all, on every route.
  for (const path of ['/api/tickets', '/api/channels/files%3Aacme/events', '/api/revocations']) {
    const bad = await post(path, forged, {});
    assert.equal(bad.status, 429, path);
    assert.ok(bad.headers.get('retry-after'));
    assert.equal((await post(path, undefined, {})).status, 429, path);
  }
});
