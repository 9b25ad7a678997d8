import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRevocationStore } from '../../../src/auth/memory.js';
import { connect, handshakeStatus, mintToken, sleep, startGuard, waitClose } from '../helpers.js';

test('revocation by sub: live connections close 1008 revoked within a second; old tokens refused; other users unaffected', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const token = await mintToken({ sub: 'bad' });
  const a = await connect(h, { token });
  const b = await connect(h, { protocols: ['wsguard.v1', `wsguard.bearer.${token}`] });
  const other = await connect(h, { token: await mintToken({ sub: 'good' }) });
  const closes = [waitClose(a, 5000), waitClose(b, 5000)];
  await h.guard.revoke({ sub: 'bad' });
  for (const c of await Promise.all(closes)) assert.deepEqual(c, { code: 1008, reason: 'revoked' });
  assert.equal(await handshakeStatus(h, { token }), 401);
  assert.equal(other.readyState, other.OPEN);
  // Issued within the clock tolerance (30 s) after the revocation: still refused (the issuer's clock may run ahead).
  assert.equal(await handshakeStatus(h, { token: await mintToken({ sub: 'bad', iat: Math.floor(Date.now() / 1000) + 2 }) }), 401);
  // A token issued past the tolerance after the revocation (a fresh login) works. Only Date moves.
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  t.mock.timers.setTime(Date.now() + 40_000);
  assert.equal(await handshakeStatus(h, { token: await mintToken({ sub: 'bad', iat: Math.floor(Date.now() / 1000) }) }), 101);
  other.close();
});

test('revocation by jti: only that token', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const t1 = await mintToken({ sub: 'u', jti: 'j-1' });
  const t2 = await mintToken({ sub: 'u', jti: 'j-2' });
  const a = await connect(h, { token: t1 });
  const b = await connect(h, { token: t2 });
  const closed = waitClose(a, 5000);
  await h.guard.revoke({ jti: 'j-1' });
  assert.deepEqual(await closed, { code: 1008, reason: 'revoked' });
  await sleep(100);
  assert.equal(b.readyState, b.OPEN);
  assert.equal(await handshakeStatus(h, { token: t1 }), 401);
  assert.equal(await handshakeStatus(h, { token: t2 }), 101);
  b.close();
});

test('revocation made on another node (through the shared store) closes local connections', async (t) => {
  const store = new MemoryRevocationStore();
  t.after(() => store.close());
  const h = await startGuard({ revocationStore: store });
  t.after(() => h.close());
  const ws = await connect(h, { token: await mintToken({ sub: 'x' }) });
  const closed = waitClose(ws, 5000);
  await store.revoke({ sub: 'x' }, Math.floor(Date.now() / 1000) + 60);
  assert.equal((await closed).reason, 'revoked');
});
