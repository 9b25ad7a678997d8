import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, importPKCS8, SignJWT, type JWSAlgorithm } from 'jose';
import { createJwtVerifier, TokenError } from '../../src/auth/jwt.js';

const now = () => Math.floor(Date.now() / 1000);
const secret = 'a-secret-that-is-at-least-32-bytes-long!';

async function sign(alg: JWSAlgorithm, key: Parameters<SignJWT['sign']>[0], claims: Record<string, unknown> = {}) {
  return new SignJWT({ perms: { subscribe: ['files:a'], publish: [] }, exp: now() + 60, ...claims }).setProtectedHeader({ alg }).setSubject('u').setIssuedAt().sign(key);
}

const rejectsWith = (p: Promise<unknown>, reason: string) => assert.rejects(p, (e: unknown) => e instanceof TokenError && e.reason === reason);

test('jwt: HS256 secret must be at least 32 bytes', () => {
  assert.throws(() => createJwtVerifier({ secret: 'short' }), /32 bytes/);
  assert.throws(() => createJwtVerifier({}), /exactly one/);
});

test('jwt: HS256 accepted, claims mapped; perms default to deny-all', async () => {
  const verify = createJwtVerifier({ secret });
  const key = new TextEncoder().encode(secret);
  const id = await verify(await sign('HS256', key, { jti: 'j1' }));
  assert.equal(id.sub, 'u');
  assert.equal(id.jti, 'j1');
  assert.deepEqual(id.perms, { subscribe: ['files:a'], publish: [] });
  const bare = await verify(await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setIssuedAt().setExpirationTime(now() + 60).sign(key));
  assert.deepEqual(bare.perms, { subscribe: [], publish: [] });
  // iat is required: a token without it could not be revoked for good (see Authenticator.assertLifetime).
  await rejectsWith(verify(await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setExpirationTime(now() + 60).sign(key)), 'claims');
  await rejectsWith(verify(await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u').sign(key)), 'claims');
  await rejectsWith(verify(await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now() + 60).sign(key)), 'claims');
  await rejectsWith(verify(await sign('HS256', key, { exp: now() - 300 })), 'expired');
  await rejectsWith(verify(await sign('HS512', key)), 'invalid'); // algorithm pinned
});

test('jwt: small clock skew tolerated', async () => {
  const key = new TextEncoder().encode(secret);
  const token = await sign('HS256', key, { exp: now() - 5 });
  await createJwtVerifier({ secret, clockToleranceSec: 30 })(token);
  await rejectsWith(createJwtVerifier({ secret, clockToleranceSec: 0 })(token), 'expired');
});

for (const [alg, type, opts] of [
  ['RS256', 'rsa', { modulusLength: 2048 }],
  ['ES256', 'ec', { namedCurve: 'P-256' }],
  ['EdDSA', 'ed25519', {}],
] as const) {
  test(`jwt: ${alg} public key pins ${alg}; an HS256 token "signed" with the public key is refused`, async () => {
    const pair = generateKeyPairSync(type as 'rsa', opts as { modulusLength: number });
    const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const privateKey = await importPKCS8(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), alg);
    const verify = createJwtVerifier({ publicKey: publicPem });
    assert.equal((await verify(await sign(alg, privateKey))).sub, 'u');
    await rejectsWith(verify(await sign('HS256', new TextEncoder().encode(publicPem))), 'invalid');
  });
}

test('jwt: local JWKS', async () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  const verify = createJwtVerifier({ jwks: { keys: [jwk] } });
  const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('u').setIssuedAt().setExpirationTime(now() + 60).sign(pair.privateKey);
  assert.equal((await verify(token)).sub, 'u');
  assert.throws(() => createJwtVerifier({ jwks: { keys: [jwk] }, algorithms: ['HS256' as 'RS256'] }), /algorithms/);
});

test('jwt: oversized and malformed tokens refused cheaply', async () => {
  const verify = createJwtVerifier({ secret });
  await rejectsWith(verify('a'.repeat(9000)), 'malformed');
  await rejectsWith(verify('a.b'), 'malformed');
  await rejectsWith(verify('a.b.c d'), 'malformed');
});

test('jwt: connections opened with one token share one frozen claims object (parsed once); another token gets its own', async () => {
  const verify = createJwtVerifier({ secret });
  const key = new TextEncoder().encode(secret);
  const token = await sign('HS256', key, { perms: { subscribe: ['files:a'], publish: ['files:a'], admin: ['revoke'] } });
  const [a, b] = [await verify(token), await verify(token)];
  assert.equal(a, b, 'the cached token\'s claims, parsed once (the Authenticator makes one identity per verify)');
  assert.ok(Object.isFrozen(a), 'shared, so nobody may change it');
  assert.throws(() => ((a as { sub: string }).sub = 'admin'), TypeError);
  assert.deepEqual(a.perms, { subscribe: ['files:a'], publish: ['files:a'], admin: ['revoke'] });
  assert.ok(Object.isFrozen(a.perms) && Object.isFrozen(a.perms.subscribe) && Object.isFrozen(a.perms.publish) && Object.isFrozen(a.perms.admin));
  assert.throws(() => (a.perms.publish as string[]).push('files:*'), TypeError);
  const other = await verify(await sign('HS256', key, { perms: { subscribe: ['files:b'], publish: [] } }));
  assert.notEqual(other.perms, a.perms);
  assert.deepEqual(other.perms, { subscribe: ['files:b'], publish: [] });
});

test('jwt: a token whose claims fail the schema is refused on every verify, cached by the signature check or not', async () => {
  const verify = createJwtVerifier({ secret });
  const key = new TextEncoder().encode(secret);
  const bad = await sign('HS256', key, { perms: { subscribe: 'files:*', publish: [] } });
  for (let i = 0; i < 3; i++) await rejectsWith(verify(bad), 'claims');
  const long = await new SignJWT({ exp: now() + 60 }).setProtectedHeader({ alg: 'HS256' }).setSubject('u'.repeat(300)).setIssuedAt().sign(key);
  for (let i = 0; i < 3; i++) await rejectsWith(verify(long), 'claims');
});
