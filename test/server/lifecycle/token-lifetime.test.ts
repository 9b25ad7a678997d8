/**
 * Revocation outlives the token: tokens may live at most auth.maxTokenLifetimeSec, and a revocation is
 * kept at least that long, so a revoked token never works again before it expires.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handshakeStatus, mintToken, startGuard, SECRET } from '../helpers.js';

const now = () => Math.floor(Date.now() / 1000);

test('a token whose lifetime exceeds auth.maxTokenLifetimeSec is refused (handshake 401; ticket endpoint 401 invalid_token)', async (t) => {
  const h = await startGuard({ auth: { jwt: { secret: SECRET }, maxTokenLifetimeSec: 3600 } });
  t.after(() => h.close());
  const hundredYears = await mintToken({ sub: 'u', exp: now() + 100 * 365 * 86_400 });
  assert.equal(await handshakeStatus(h, { token: hundredYears }), 401);
  // exp − iat decides, whatever the time left: issued 10 h ago for 11 h.
  assert.equal(await handshakeStatus(h, { token: await mintToken({ sub: 'u', iat: now() - 36_000, exp: now() + 3600 }) }), 401);
  // Without iat: refused whatever its exp (it could not be revoked for good, see the last test).
  assert.equal(await handshakeStatus(h, { token: await mintToken({ sub: 'u', exp: now() + 7200, iat: null }) }), 401);
  assert.equal(await handshakeStatus(h, { token: await mintToken({ sub: 'u', exp: now() + 1800, iat: null }) }), 401);
  // An iat in the future would dodge revocation by sub: refused.
  assert.equal(await handshakeStatus(h, { token: await mintToken({ sub: 'u', iat: now() + 600, exp: now() + 1200 }) }), 401);
  assert.equal(await handshakeStatus(h, { token: await mintToken({ sub: 'u', exp: now() + 3500 }) }), 101);
  const res = await fetch(`http://127.0.0.1:${h.port}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${hundredYears}` } });
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_token');
});

test('a jti revocation still holds after the old 24 h window, while the token is unexpired (clock moved 30 h on)', async (t) => {
  const h = await startGuard({ auth: { jwt: { secret: SECRET }, maxTokenLifetimeSec: 48 * 3600 } });
  t.after(() => h.close());
  const token = await mintToken({ sub: 'u', jti: 'stolen', exp: now() + 47 * 3600 });
  const subToken = await mintToken({ sub: 'v', exp: now() + 47 * 3600 });
  assert.equal(await handshakeStatus(h, { token }), 101);
  await h.guard.revoke({ jti: 'stolen' });
  await h.guard.revoke({ sub: 'v' });
  // Only Date moves: sockets and timers stay real.
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  t.mock.timers.setTime(Date.now() + 30 * 3600 * 1000);
  assert.equal(await handshakeStatus(h, { token }), 401);
  assert.equal(await handshakeStatus(h, { token: subToken }), 401);
  // A fresh token for the same sub, issued after the revocation, works.
  assert.equal(await handshakeStatus(h, { token: await mintToken({ sub: 'v', iat: now() + 1, exp: now() + 3600 }) }), 101);
});

test('clock tolerance: a sub revocation refuses a token whose iat is ahead of our clock (within tolerance)', async (t) => {
  const h = await startGuard({ auth: { jwt: { secret: SECRET }, maxTokenLifetimeSec: 3600 } });
  t.after(() => h.close());
  // Minted before the revocation by an issuer whose clock runs 20 s ahead of ours.
  const ahead = await mintToken({ sub: 'w', iat: now() + 20, exp: now() + 620 });
  assert.equal(await handshakeStatus(h, { token: ahead }), 101);
  await h.guard.revoke({ sub: 'w' });
  assert.equal(await handshakeStatus(h, { token: ahead }), 401);
});

test('clock tolerance: a jti revocation is kept for maxTokenLifetime + 2 × tolerance (iat ahead, exp honoured late)', async (t) => {
  const h = await startGuard({ auth: { jwt: { secret: SECRET }, maxTokenLifetimeSec: 3600 } });
  t.after(() => h.close());
  const start = now();
  // The longest-lived token accepted today: iat 30 s ahead, lifetime exactly the maximum.
  const token = await mintToken({ sub: 'x', jti: 'late', iat: start + 30, exp: start + 30 + 3600 });
  await h.guard.revoke({ jti: 'late' });
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  // Past now + max + tolerance, yet exp + tolerance is still ahead: the token would be accepted.
  t.mock.timers.setTime((start + 3600 + 45) * 1000);
  assert.equal(await handshakeStatus(h, { token }), 401);
});

test('a token without iat is refused: with exp − now it would become acceptable after its jti revocation expired', async (t) => {
  const h = await startGuard({ auth: { jwt: { secret: SECRET }, maxTokenLifetimeSec: 3600 } });
  t.after(() => h.close());
  const start = now();
  const token = await mintToken({ sub: 'y', jti: 'no-iat', exp: start + 10 * 3600, iat: null });
  await h.guard.revoke({ jti: 'no-iat' });
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  // The revocation is long gone and exp − now is now under the maximum.
  t.mock.timers.setTime((start + 9.5 * 3600) * 1000);
  assert.equal(await handshakeStatus(h, { token }), 401);
  const res = await fetch(`http://127.0.0.1:${h.port}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_token');
});
