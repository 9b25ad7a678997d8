/**
 * A handshake authenticated just before a revocation but registered just after it must not survive:
 * the revocation is announced while the gate is between its check and the connection's registration
 * (so the announcement finds nothing to close); the registration re-check closes it. Memory and Redis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRevocationStore } from '../../../src/auth/memory.js';
import type { Identity, RevocationStore, RevocationTarget } from '../../../src/auth/types.js';
import { connect, mintToken, startGuard, waitClose } from '../helpers.js';
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
