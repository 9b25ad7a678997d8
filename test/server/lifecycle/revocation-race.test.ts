/**
 * A handshake authenticated just before a revocation but registered just after it must not survive:
 * the revocation is announced while the gate is between its check and the connection's registration
 * (so the announcement finds nothing to close); the registration re-check closes it. Memory and Redis,
 * JWT and ticket. The re-check is skipped when no revocation was announced since the gate began
 * (one lookup per handshake then): announced during the gate, of anyone, it runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRevocationStore } from '../../../src/auth/memory.js';
import type { Identity, RevocationStore, RevocationTarget } from '../../../src/auth/types.js';
import { connect, mintToken, ORIGIN, sleep, startGuard, waitClose } from '../helpers.js';
import { redisScope, redisSkipReason, waitFor } from '../../cluster/redis-helpers.js';

/** Answers the gate's check truthfully, then runs `between` (the revocation) before the gate goes on. */
class RacyStore implements RevocationStore {
  private fired = false;
  constructor(private readonly inner: RevocationStore, private readonly between: () => Promise<void>) {}
  async revoke(target: RevocationTarget, untilSec: number): Promise<void> {
    await this.inner.revoke(target, untilSec);
  }
  async isRevoked(identity: Pick<Identity, 'sub' | 'jti'>, iat?: number): Promise<boolean> {
    const answer = await this.inner.isRevoked(identity, iat);
    if (!this.fired) {
      this.fired = true;
      await this.between();
    }
    return answer;
  }
  onRevoke(listener: (target: RevocationTarget) => void): void {
    this.inner.onRevoke(listener);
  }
  async close(): Promise<void> {
    await this.inner.close();
  }
}

const until = () => Math.floor(Date.now() / 1000) + 3600;

/** Counts lookups. */
class CountingStore extends MemoryRevocationStore {
  lookups = 0;
  override async isRevoked(identity: Pick<Identity, 'sub' | 'jti'>, iat?: number): Promise<boolean> {
    this.lookups++;
    return super.isRevoked(identity, iat);
  }
}

test('revocation between the gate and registration: the connection is closed 1008 revoked (memory store)', async (t) => {
  const inner = new MemoryRevocationStore();
  let announced = 0;
  inner.onRevoke(() => announced++);
  const h = await startGuard({ revocationStore: new RacyStore(inner, () => inner.revoke({ sub: 'racer' }, until())) });
  t.after(async () => {
    await h.close();
    await inner.close();
  });
  const ws = await connect(h, { token: await mintToken({ sub: 'racer', iat: Math.floor(Date.now() / 1000) - 5 }) });
  assert.equal(announced, 1, 'the revocation was announced before the connection was registered');
  assert.deepEqual(await waitClose(ws, 5000), { code: 1008, reason: 'revoked' });
  assert.ok(h.events.some((e) => e.kind === 'revoked'));
});

test('the same race with a ticket: revoked between the ticket\'s revocation check and registration', async (t) => {
  const inner = new MemoryRevocationStore();
  const racy = new RacyStore(inner, () => inner.revoke({ sub: 'ticket-racer' }, until()));
  const h = await startGuard({ revocationStore: racy });
  t.after(async () => {
    await h.close();
    await inner.close();
  });
  const now = Math.floor(Date.now() / 1000);
  const { ticket } = await h.guard.issueTicket({ sub: 'ticket-racer', iat: now - 5, exp: now + 600, perms: { subscribe: [], publish: [] }, method: 'bearer' }, ORIGIN);
  const ws = await connect(h, { path: `/ws?ticket=${ticket}` });
  assert.deepEqual(await waitClose(ws, 5000), { code: 1008, reason: 'revoked' });
});

test('no revocation announced during the gate: one lookup per handshake, the connection stays', async (t) => {
  const store = new CountingStore();
  const h = await startGuard({ revocationStore: store });
  t.after(async () => {
    await h.close();
    await store.close();
  });
  const ws = await connect(h, { token: await mintToken({ sub: 'calm' }) });
  await sleep(100);
  assert.equal(store.lookups, 1, 'the gate looked up once; nothing was announced, so no re-check');
  assert.equal(ws.readyState, ws.OPEN);
  // Announced later, it closes the registered connection (closeRevoked), with no re-check needed.
  await h.guard.revoke({ sub: 'calm' });
  assert.deepEqual(await waitClose(ws, 5000), { code: 1008, reason: 'revoked' });
});

test('a revocation of someone else announced during the gate still makes the re-check run (and pass)', async (t) => {
  const counting = new CountingStore();
  const h = await startGuard({ revocationStore: new RacyStore(counting, () => counting.revoke({ sub: 'bystander' }, until())) });
  t.after(async () => {
    await h.close();
    await counting.close();
  });
  const ws = await connect(h, { token: await mintToken({ sub: 'innocent' }) });
  await waitFor(() => counting.lookups === 2, 5000, 'the re-check');
  await sleep(50);
  assert.equal(ws.readyState, ws.OPEN);
  ws.terminate();
});

const skip = await redisSkipReason();
const { node, prefix } = redisScope(skip);

test('the same race across a cluster: revoked on node B between node A\'s gate and registration', { skip }, async (t) => {
  const p = prefix();
  const [a, b] = [await node(p), await node(p)];
  let seenOnA = 0;
  a.revocations.onRevoke(() => seenOnA++);
  const racy = new RacyStore(a.revocations, async () => {
    await b.revocations.revoke({ jti: 'race-jti' }, until());
    await waitFor(() => seenOnA > 0, 5000, 'the revocation reached node A');
  });
  const h = await startGuard({ revocationStore: racy });
  t.after(() => h.close());
  const ws = await connect(h, { token: await mintToken({ sub: 'r2', jti: 'race-jti' }) });
  assert.deepEqual(await waitClose(ws, 5000), { code: 1008, reason: 'revoked' });
});
