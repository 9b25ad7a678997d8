import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRevocationStore, MemoryTicketStore } from '../../src/auth/memory.js';
import { issueTicket, redeemTicket } from '../../src/auth/tickets.js';
import type { Identity, RevocationTarget } from '../../src/auth/types.js';

const identity: Identity = { sub: 'u', perms: { subscribe: [], publish: [] }, method: 'bearer', exp: Math.floor(Date.now() / 1000) + 3600 };

test('memory tickets: take is single use and honours the TTL', async (t) => {
  const store = new MemoryTicketStore();
  t.after(() => store.close());
  await store.put('t1', { identity, origin: null, expiresAt: Date.now() + 1000 }, 1000);
  assert.ok(await store.take('t1'));
  assert.equal(await store.take('t1'), undefined);
  await store.put('t2', { identity, origin: null, expiresAt: Date.now() + 1 }, 1);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(await store.take('t2'), undefined);
});

test('tickets: issue/redeem binds subject and origin; wrong origin burns the ticket', async (t) => {
  const store = new MemoryTicketStore();
  t.after(() => store.close());
  const a = await issueTicket(store, identity, 'https://a.example', 30_000);
  assert.equal((await redeemTicket(store, a.ticket, 'https://a.example'))?.sub, 'u');
  const b = await issueTicket(store, identity, 'https://a.example', 30_000);
  assert.equal(await redeemTicket(store, b.ticket, 'https://b.example'), undefined);
  assert.equal(await redeemTicket(store, b.ticket, 'https://a.example'), undefined);
  const c = await issueTicket(store, identity, 'https://a.example', 30_000);
  const d = await issueTicket(store, identity, 'https://a.example', 30_000);
  assert.notEqual(c.ticket, d.ticket);
});

test('memory revocation: by sub refuses tokens issued up to the revocation; by jti refuses that token; listeners told', async (t) => {
  const store = new MemoryRevocationStore();
  t.after(() => store.close());
  const told: RevocationTarget[] = [];
  store.onRevoke((x) => told.push(x));
  const nowSec = Math.floor(Date.now() / 1000);
  await store.revoke({ sub: 'u' }, nowSec + 60);
  assert.equal(await store.isRevoked({ sub: 'u' }, nowSec - 10), true);
  assert.equal(await store.isRevoked({ sub: 'u' }), true);
  assert.equal(await store.isRevoked({ sub: 'u' }, nowSec + 5), false);
  assert.equal(await store.isRevoked({ sub: 'other' }, nowSec - 10), false);
  await store.revoke({ jti: 'j1' }, nowSec + 60);
  assert.equal(await store.isRevoked({ sub: 'x', jti: 'j1' }, nowSec + 5), true);
  assert.equal(await store.isRevoked({ sub: 'x', jti: 'j2' }, nowSec + 5), false);
  await store.revoke({ jti: 'old' }, nowSec - 1);
  assert.equal(await store.isRevoked({ sub: 'x', jti: 'old' }), false);
  assert.deepEqual(told, [{ sub: 'u' }, { jti: 'j1' }, { jti: 'old' }]);
});
