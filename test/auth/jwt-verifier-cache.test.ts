/**
 * The cached synchronous verifier (src/auth/jwt-verifier-cache.ts): a cached token is still refused
 * once expired, algorithms stay pinned, a tampered token never rides on a cached one, the cache is
 * bounded; and over a real socket, a token verified before still goes through Origin and revocation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, type JWSAlgorithm } from 'jose';
import { CachedVerifyError, createCachedVerifier } from '../../src/auth/jwt-verifier-cache.js';
import { createJwtVerifier, TokenError } from '../../src/auth/jwt.js';
import { handshakeStatus, mintToken, startGuard } from '../server/helpers.js';

const secret = new TextEncoder().encode('a-secret-that-is-at-least-32-bytes-long!');
const now = () => Math.floor(Date.now() / 1000);

function sign(claims: Record<string, unknown> = {}, alg: JWSAlgorithm = 'HS256', key: Parameters<SignJWT['sign']>[0] = secret): Promise<string> {
  return new SignJWT({ perms: { subscribe: ['files:a'], publish: [] }, exp: now() + 60, ...claims }).setProtectedHeader({ alg }).setSubject('u').setIssuedAt().sign(key);
}

const refusedWith = (fn: () => unknown, code: string) => assert.throws(fn, (e: unknown) => e instanceof CachedVerifyError && e.code === code);

test('a cached token is refused once it expires (the cache entry dies with exp)', async (t) => {
  const token = await sign({ exp: now() + 60 });
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const verify = createCachedVerifier({ key: secret, algorithms: ['HS256'], clockToleranceSec: 0 });
  assert.equal(verify(token).sub, 'u');
  assert.equal(verify.cacheEntries(), 1, 'the token is cached');
  assert.equal(verify(token).sub, 'u');
  t.mock.timers.tick(61_000);
  refusedWith(() => verify(token), 'ERR_JWT_EXPIRED');
});

test('through createJwtVerifier: the same token accepted, then refused as expired once exp + tolerance passed', async (t) => {
  const token = await sign({ exp: now() + 10 });
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const verify = createJwtVerifier({ secret, clockToleranceSec: 5 });
  assert.equal((await verify(token)).sub, 'u');
  t.mock.timers.tick(12_000); // past exp, inside the tolerance
  assert.equal((await verify(token)).sub, 'u');
  t.mock.timers.tick(5_000); // past exp + tolerance
  await assert.rejects(verify(token), (e: unknown) => e instanceof TokenError && e.reason === 'expired');
});

test('algorithms stay pinned: alg none, HS512, and an HS256 token keyed with the public key are refused', async () => {
  const verify = createCachedVerifier({ key: secret, algorithms: ['HS256'], clockToleranceSec: 0 });
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'u', exp: now() + 60 })}.`;
  refusedWith(() => verify(none), 'ERR_JWS_INVALID');
  const hs512 = await sign({}, 'HS512');
  refusedWith(() => verify(hs512), 'ERR_JWS_INVALID');
  // Algorithm confusion: a public-key verifier must not take an HMAC made with the PEM text as secret.
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const ec = createCachedVerifier({ key: pem, algorithms: ['ES256'], clockToleranceSec: 0 });
  assert.equal(ec(await sign({}, 'ES256', pair.privateKey)).sub, 'u');
  const confused = await sign({}, 'HS256', new TextEncoder().encode(pem));
  refusedWith(() => ec(confused), 'ERR_JWS_INVALID');
  refusedWith(() => ec(hs512), 'ERR_JWS_INVALID');
});

test('a tampered signature or payload is refused even while the genuine token is cached', async () => {
  const verify = createCachedVerifier({ key: secret, algorithms: ['HS256'], clockToleranceSec: 0 });
  const token = await sign({ perms: { subscribe: ['files:a'], publish: [] } });
  assert.equal(verify(token).sub, 'u');
  const [h, p, s] = token.split('.') as [string, string, string];
  const flipped = `${s.slice(0, -2)}${s.at(-2) === 'A' ? 'B' : 'A'}${s.at(-1)}`;
  refusedWith(() => verify(`${h}.${p}.${flipped}`), 'ERR_JWS_INVALID');
  const escalated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), perms: { subscribe: ['*'], publish: ['*'] } })).toString('base64url');
  refusedWith(() => verify(`${h}.${escalated}.${s}`), 'ERR_JWS_INVALID');
  // Each variant hashes to its own cache key: a second try is refused again, the genuine token still accepted.
  refusedWith(() => verify(`${h}.${p}.${flipped}`), 'ERR_JWS_INVALID');
  refusedWith(() => verify(`${h}.${escalated}.${s}`), 'ERR_JWS_INVALID');
  assert.equal(verify(token).sub, 'u');
});

test('claims: missing sub or exp, wrong or missing issuer or audience are refused as claims', async () => {
  const verify = createCachedVerifier({ key: secret, algorithms: ['HS256'], clockToleranceSec: 0, issuer: 'https://idp.test', audience: 'hub' });
  assert.equal(verify(await sign({ iss: 'https://idp.test', aud: 'hub' })).sub, 'u');
  const wrongIss = await sign({ iss: 'https://other.test', aud: 'hub' });
  const wrongAud = await sign({ iss: 'https://idp.test', aud: 'other' });
  const noExp = await new SignJWT({ iss: 'https://idp.test', aud: 'hub' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u').sign(secret);
  const noSub = await new SignJWT({ iss: 'https://idp.test', aud: 'hub', exp: now() + 60 }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
  // A configured issuer or audience is required, not only checked when present.
  const noIss = await sign({ aud: 'hub' });
  const noAud = await sign({ iss: 'https://idp.test' });
  for (const token of [wrongIss, wrongAud, noExp, noSub, noIss, noAud]) refusedWith(() => verify(token), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
});

test('the cache is bounded: 50 distinct tokens through a cache of 5 leave 5 entries', async () => {
  const verify = createCachedVerifier({ key: secret, algorithms: ['HS256'], clockToleranceSec: 0, cacheSize: 5 });
  for (let i = 0; i < 50; i++) assert.equal(verify(await sign({ jti: `j-${i}` })).jti, `j-${i}`);
  assert.equal(verify.cacheEntries(), 5);
});

test('over a real socket: a token verified (and cached) before is still refused for a bad Origin and after revocation', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const token = await mintToken({ sub: 'cached-user' });
  assert.equal(await handshakeStatus(h, { token }), 101);
  assert.equal(await handshakeStatus(h, { token }), 101);
  assert.equal(await handshakeStatus(h, { token, origin: 'https://evil.test' }), 403);
  await h.guard.revoke({ sub: 'cached-user' });
  assert.equal(await handshakeStatus(h, { token }), 401);
});

