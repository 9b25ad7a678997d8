import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RevocationTarget, TicketRecord } from '../../src/auth/types.js';
import { RedisConnectionCounter } from '../../src/auth/redis.js';
import { commandConnection, type RedisBackend } from '../../src/cluster/redis-backend.js';
import { plainClient, REDIS_URL, redisScope, redisSkipReason, sleep, waitFor } from '../cluster/redis-helpers.js';

const skip = await redisSkipReason();
const { node, prefix, track } = redisScope(skip);

const record = (sub: string): TicketRecord => ({
  identity: { sub, perms: { subscribe: ['files:acme'], publish: [] } },
  origin: 'https://app.example',
  expiresAt: Date.now() + 30_000,
});

if (skip) {
  test('redis auth stores', { skip }, () => {});
} else {
  describe('redis tickets', () => {
    test('a ticket minted on node A works once, on node B, and is not stored in clear', async () => {
      const p = prefix();
      const [a, b] = [await node(p), await node(p)];
      const rec = record('alice');
      await a.tickets.put('tk-secret-1', rec, 30_000);
      const admin = plainClient();
      const keys = await admin.keys(`${p}ticket:*`);
      admin.disconnect();
      assert.equal(keys.length, 1);
      assert.equal(keys[0]!.includes('tk-secret-1'), false, 'key is a hash of the ticket');
      assert.deepEqual(await b.tickets.take('tk-secret-1'), rec);
      assert.equal(await a.tickets.take('tk-secret-1'), undefined);
      assert.equal(await b.tickets.take('tk-secret-1'), undefined);
    });

    test('concurrent takes on two nodes: exactly one wins, for each of 50 tickets', async () => {
      const p = prefix();
      const [a, b] = [await node(p), await node(p)];
      for (let i = 0; i < 50; i++) await a.tickets.put(`tk-${i}`, record(`u${i}`), 30_000);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => Promise.all([a.tickets.take(`tk-${i}`), b.tickets.take(`tk-${i}`)])));
      for (const [x, y] of results) assert.equal(Number(x !== undefined) + Number(y !== undefined), 1);
    });

    test('a ticket expires after its TTL', async () => {
      const a = await node(prefix());
      await a.tickets.put('tk-short', record('bob'), 50);
      await sleep(150);
      assert.equal(await a.tickets.take('tk-short'), undefined);
    });
  });

  describe('redis ticket caps', () => {
    test('outstanding tickets are capped per subject and in total across nodes; a taken or expired ticket frees its slot', async () => {
      const p = prefix();
      const [a, b] = [await node(p), await node(p)];
      const limits = { perSubject: 2, total: 3 };
      assert.equal(await a.tickets.put('c-1', record('carol'), 30_000, limits), 'ok');
      assert.equal(await b.tickets.put('c-2', record('carol'), 30_000, limits), 'ok');
      assert.equal(await a.tickets.put('c-3', record('carol'), 30_000, limits), 'subject_cap', 'per subject, counted across nodes');
      assert.equal(await b.tickets.take('c-3'), undefined, 'nothing stored past the cap');
      assert.equal(await b.tickets.put('d-1', record('dave'), 50, limits), 'ok');
      assert.equal(await a.tickets.put('e-1', record('erin'), 30_000, limits), 'total_cap');
      assert.equal(await a.tickets.outstanding(), 3);
      await sleep(120); // d-1 expires: its slot is free again
      assert.equal(await a.tickets.put('e-1', record('erin'), 30_000, limits), 'ok');
      assert.ok(await b.tickets.take('c-1'));
      assert.equal(await a.tickets.put('c-4', record('carol'), 30_000, limits), 'ok', 'a taken ticket frees its slot');
      assert.equal(await a.tickets.outstanding(), 3);
    });
  });

  describe('redis revocations', () => {
    test('a revoke on any node reaches onRevoke on every node, the revoking one included', async () => {
      const p = prefix();
      const [a, b, c] = [await node(p), await node(p), await node(p)];
      const seen = new Map<RedisBackend, RevocationTarget[]>();
      for (const n of [a, b, c]) {
        seen.set(n, []);
        n.revocations.onRevoke((t) => seen.get(n)!.push(t));
      }
      const until = Math.floor(Date.now() / 1000) + 3600;
      await b.revocations.revoke({ sub: 'mallory' }, until);
      await c.revocations.revoke({ jti: 'token-7' }, until);
      await waitFor(() => [...seen.values()].every((l) => l.length === 2), 5000, 'fan-out');
      for (const l of seen.values()) assert.deepEqual(l, [{ sub: 'mallory' }, { jti: 'token-7' }]);
    });

    test('by sub: tokens issued at or before the revocation are refused on every node, later ones pass', async () => {
      const p = prefix();
      const [a, b] = [await node(p), await node(p)];
      const now = Math.floor(Date.now() / 1000);
      await a.revocations.revoke({ sub: 'mallory' }, now + 3600);
      assert.equal(await b.revocations.isRevoked({ sub: 'mallory' }, now - 10), true);
      assert.equal(await b.revocations.isRevoked({ sub: 'mallory' }, now), true);
      assert.equal(await b.revocations.isRevoked({ sub: 'mallory' }), true, 'no iat: cannot prove it is newer');
      assert.equal(await b.revocations.isRevoked({ sub: 'mallory' }, now + 5), false);
      assert.equal(await b.revocations.isRevoked({ sub: 'alice' }, now - 10), false);
    });

    test('by jti on every node; a revocation expires at untilSec, a later revoke never shortens it', async () => {
      const p = prefix();
      const [a, b] = [await node(p), await node(p)];
      const now = Math.floor(Date.now() / 1000);
      await a.revocations.revoke({ jti: 'j1' }, now + 3600);
      await a.revocations.revoke({ jti: 'j1' }, now + 1); // shorter: ignored
      assert.equal(await b.revocations.isRevoked({ sub: 'alice', jti: 'j1' }, now), true);
      assert.equal(await b.revocations.isRevoked({ sub: 'alice', jti: 'j2' }, now), false);
      const admin = plainClient();
      assert.ok((await admin.ttl(`${p}rev:jti:j1`)) > 3000);
      admin.disconnect();
      await a.revocations.revoke({ jti: 'j-past' }, now - 1); // already expired: nothing to store, still announced
      assert.equal(await b.revocations.isRevoked({ sub: 'alice', jti: 'j-past' }, now), false);
    });
  });

  describe('redis connection counter', () => {
    test('a cap is shared by every node', async () => {
      const p = prefix();
      const [a, b] = [await node(p), await node(p)];
      const ca = a.connectionCounter;
      const cb = b.connectionCounter;
      assert.equal(await ca.acquire('alice', 3), true);
      assert.equal(await ca.acquire('alice', 3), true);
      assert.equal(await cb.acquire('alice', 3), true);
      assert.equal(await cb.acquire('alice', 3), false);
      assert.equal(await ca.acquire('alice', 3), false);
      assert.equal(await cb.acquire('bob', 3), true, 'keys are independent');
      await ca.release('alice');
      assert.equal(await cb.acquire('alice', 3), true);
      assert.equal(await ca.acquire('alice', 3), false);
      await cb.release('nobody'); // releasing what was never taken changes nothing
      assert.equal(await ca.acquire('alice', 3), false);
    });

    test('concurrent acquires from three nodes never exceed the cap', async () => {
      const p = prefix();
      const nodes = [await node(p), await node(p), await node(p)];
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => nodes[i % 3]!.connectionCounter.acquire('carol', 10)));
      assert.equal(results.filter(Boolean).length, 10);
    });

    test('a node that dies without releasing loses its slots after its heartbeat TTL', async () => {
      const p = prefix();
      const a = await node(p, { nodeTtlMs: 400, heartbeatMs: 100 });
      // The dying node: its own connection, which we cut without any release.
      const conn = commandConnection(REDIS_URL, 1000);
      conn.on('error', () => {});
      track(conn);
      await waitFor(() => conn.status === 'ready', 5000, 'connection');
      const dying = new RedisConnectionCounter({ redis: conn, prefix: p, ttlMs: 400, heartbeatMs: 100 });
      assert.equal(await dying.acquire('dave', 2), true);
      assert.equal(await dying.acquire('dave', 2), true);
      assert.equal(await a.connectionCounter.acquire('dave', 2), false);
      conn.disconnect(); // SIGKILL-like: no release, no more heartbeats
      await waitFor(() => a.connectionCounter.acquire('dave', 2), 5000, 'slots of the dead node freed');
      await dying.close(); // stops its timer; Redis is unreachable for it, so it releases nothing
    });

    test('a live node keeps its slots through many heartbeats, and close() frees them at once', async () => {
      const p = prefix();
      const [a, b] = [await node(p, { nodeTtlMs: 300, heartbeatMs: 50 }), await node(p, { nodeTtlMs: 300, heartbeatMs: 50 })];
      assert.equal(await a.connectionCounter.acquire('erin', 1), true);
      await sleep(700);
      assert.equal(await b.connectionCounter.acquire('erin', 1), false);
      await a.close();
      assert.equal(await b.connectionCounter.acquire('erin', 1), true);
    });
  });
}
