/**
 * The single-node revocation store on SQLite: revocations survive a hub restart on the same
 * WSGUARD_DB (attacked over HTTP and WebSocket), expire at their time, are pruned, and are capped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteRevocationStore } from '../../src/auth/sqlite.js';
import type { Permissions } from '../../src/auth/types.js';
import { WsguardError } from '../../src/protocol/index.js';
import { startTestHub, removeDir, TestClient, READER, token, type TestHub } from '../hub/support.js';

const ADMIN: Permissions = { subscribe: [], publish: [], admin: ['revoke'] };
const jtiOf = (jwt: string): string => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;

const revoke = (h: TestHub, body: unknown, bearer: string) =>
  fetch(h.url + '/api/revocations', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify(body) });
const ticket = (h: TestHub, bearer: string) => fetch(h.url + '/api/tickets', { method: 'POST', headers: { authorization: `Bearer ${bearer}` } });

test('a hub restarted on the same WSGUARD_DB still refuses tokens revoked by jti and by sub (401 on HTTP and WebSocket)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-rev-'));
  let hub = await startTestHub({}, { dir });
  try {
    const byJti = await token('carol', READER);
    const bySub = await token('mallory', READER);
    const bystander = await token('bob', READER);
    const admin = await token('ops', ADMIN);
    assert.equal((await ticket(hub, byJti)).status, 200);
    assert.equal((await ticket(hub, bySub)).status, 200);
    assert.equal((await revoke(hub, { jti: jtiOf(byJti) }, admin)).status, 200);
    assert.equal((await revoke(hub, { sub: 'mallory' }, admin)).status, 200);
    await hub.close(1000);

    hub = await startTestHub({}, { dir });
    assert.equal((await ticket(hub, byJti)).status, 401);
    assert.equal((await ticket(hub, bySub)).status, 401);
    await assert.rejects(TestClient.connect(hub, byJti), /HTTP 401/);
    await assert.rejects(TestClient.connect(hub, bySub), /HTTP 401/);
    // Only those: another token of the same hub still works after the restart.
    assert.equal((await ticket(hub, bystander)).status, 200);
    const metrics = await (await fetch(hub.url + '/metrics')).text();
    assert.match(metrics, /wsguard_revocations_stored 2\b/);
  } finally {
    await hub.close(1000);
    removeDir(dir);
  }
});

test('SqliteRevocationStore: entries expire at their time and are pruned; revoking again never shortens; the cap refuses new entries', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-rev-'));
  t.after(() => removeDir(dir));
  const now = Math.floor(Date.now() / 1000);
  const store = new SqliteRevocationStore({ path: join(dir, 'events.db'), maxEntries: 3, pruneSlice: 1 });
  try {
    await store.revoke({ jti: 'old' }, now - 1); // already past: never matches
    await store.revoke({ jti: 'live' }, now + 600);
    await store.revoke({ jti: 'live' }, now - 5); // does not shorten
    await store.revoke({ sub: 'alice' }, now + 600);
    assert.equal(await store.isRevoked({ sub: 'x', jti: 'old' }), false);
    assert.equal(await store.isRevoked({ sub: 'x', jti: 'live' }), true);
    assert.equal(await store.isRevoked({ sub: 'alice' }, now), true);
    assert.equal(await store.isRevoked({ sub: 'alice' }, now + 3600), false, 'issued after the revocation');
    assert.equal(await store.isRevoked({ sub: 'alice' }), true, 'no iat: cannot prove it is newer');
    // Both keys are looked up at once: either matches, each only its own kind.
    assert.equal(await store.isRevoked({ sub: 'alice', jti: 'unrevoked' }, now), true, 'by sub, with a jti');
    assert.equal(await store.isRevoked({ sub: 'alice', jti: 'live' }, now + 3600), true, 'by jti, sub issued after');
    assert.equal(await store.isRevoked({ sub: 'live', jti: 'alice' }, now), false, 'a sub named like a revoked jti, a jti like a revoked sub');
    assert.equal(store.size, 3);
    // Full: the expired row is pruned to make room, then the cap holds.
    await store.revoke({ jti: 'fourth' }, now + 600);
    assert.equal(store.size, 3);
    await assert.rejects(store.revoke({ jti: 'fifth' }, now + 600), (e: unknown) => e instanceof WsguardError && e.code === 'unavailable');
    assert.equal(store.refusedFull, 1);
    assert.equal(await store.isRevoked({ sub: 'x', jti: 'fifth' }), false);
    // An existing target can still be revoked again at the cap.
    await store.revoke({ sub: 'alice' }, now + 900);
    assert.equal(await store.prune(), 0);
  } finally {
    await store.close();
  }
  await assert.rejects(store.isRevoked({ sub: 'alice' }), (e: unknown) => e instanceof WsguardError && e.code === 'unavailable');
});

test('the cap over HTTP: past WSGUARD_MAX_REVOCATIONS a new revocation answers 503 (never evicting one), counted in metrics', async (t) => {
  const hub = await startTestHub({ maxRevocations: 1 });
  t.after(async () => {
    await hub.close(1000);
    removeDir(hub.dir);
  });
  const admin = await token('ops-cap', ADMIN);
  const victim = await token('eve', READER);
  assert.equal((await revoke(hub, { sub: 'eve' }, admin)).status, 200);
  const full = await revoke(hub, { sub: 'someone-else' }, admin);
  assert.equal(full.status, 503);
  assert.equal(((await full.json()) as { error: { code: string } }).error.code, 'unavailable');
  assert.equal((await ticket(hub, victim)).status, 401, 'the first revocation still holds');
  assert.equal((await revoke(hub, { sub: 'eve' }, admin)).status, 200, 'revoking the same target again is not a new entry');
  assert.match(await (await fetch(hub.url + '/metrics')).text(), /wsguard_revocations_refused_total 1\b/);
});

test('SqliteRevocationStore.prune deletes every expired row in slices and keeps live ones', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-rev-'));
  t.after(() => removeDir(dir));
  const now = Math.floor(Date.now() / 1000);
  const store = new SqliteRevocationStore({ path: join(dir, 'events.db'), pruneSlice: 2 });
  try {
    for (let i = 0; i < 5; i++) await store.revoke({ jti: `gone-${i}` }, now - 1);
    await store.revoke({ jti: 'kept' }, now + 600);
    assert.equal(store.size, 6);
    assert.equal(await store.prune(), 5);
    assert.equal(store.size, 1);
    assert.equal(await store.isRevoked({ sub: 'x', jti: 'kept' }), true);
  } finally {
    await store.close();
  }
});

test('on a running hub, a handshake whose jti or sub was just revoked is refused, and an unrevoked token of the same sub is not (the store answers misses from its key index)', async (t) => {
  const hub = await startTestHub({});
  t.after(async () => {
    await hub.close(1000);
    removeDir(hub.dir);
  });
  const admin = await token('ops-live', ADMIN);
  const first = await token('dave', READER);
  const second = await token('dave', READER);
  (await TestClient.connect(hub, first)).close();
  assert.equal((await revoke(hub, { jti: jtiOf(first) }, admin)).status, 200);
  await assert.rejects(TestClient.connect(hub, first), /HTTP 401/);
  assert.equal((await ticket(hub, first)).status, 401);
  const other = await TestClient.connect(hub, second);
  other.close();
  assert.equal((await revoke(hub, { sub: 'dave' }, admin)).status, 200);
  await assert.rejects(TestClient.connect(hub, second), /HTTP 401/);
  assert.equal((await ticket(hub, second)).status, 401);
});
