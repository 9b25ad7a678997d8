/**
 * AUTH-02's offline proof that the operator's credential is signed with a well-known secret: JWTs,
 * express-session cookies, and a real Mojolicious app on its default secret (CVE-2024-58134, found
 * by the outsider auditor) against the same app with a strong one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { sign } from 'cookie-signature';
import { SignJWT } from 'jose';
import { knownSecret } from '../../../../src/audit/checks/auth/known-secrets.js';
import { defaultCredentials } from '../../../../src/audit/options.js';
import { runCheck } from '../../harness.js';
import { mojoMissing, startMojo } from '../../../fixtures/mojo-server.js';

const target = new URL('ws://127.0.0.1:1/ws');
const jwt = (secret: string) => new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('-1h').sign(new TextEncoder().encode(secret));

test('known secrets: a JWT signed with "secret" is found even expired; a random secret is not; RS/none are not tried', async () => {
  assert.deepEqual(await knownSecret('token', 'token', await jwt('secret'), target), { scheme: 'JWT HMAC signature', secret: 'secret' });
  assert.equal(await knownSecret('token', 'token', await jwt('n8Kq2v9XbT4wZr7pLm3s'), target), undefined);
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"a"}').toString('base64url')}.`;
  assert.equal(await knownSecret('token', 'token', none, target), undefined);
});

test('known secrets: express-session\'s README "keyboard cat" and a Mojolicious moniker taken from the URL', async () => {
  const sid = `s:${sign('Yw3rR8sX0aQ', 'keyboard cat')}`;
  assert.equal((await knownSecret('cookie', 'connect.sid', encodeURIComponent(sid), target))?.secret, 'keyboard cat');
  assert.equal(await knownSecret('cookie', 'connect.sid', encodeURIComponent(`s:${sign('Yw3rR8sX0aQ', 'k9!Lw2#pQz')}`), target), undefined);
  const value = Buffer.from('{"user":"alice"}').toString('base64url');
  const mojo = (secret: string) => `${value}--${createHmac('sha256', secret).update(`mojolicious=${value}`).digest('hex')}`;
  assert.equal((await knownSecret('cookie', 'mojolicious', mojo('chatroom'), new URL('ws://127.0.0.1:1/chatroom/ws')))?.secret, 'chatroom');
  assert.equal(await knownSecret('cookie', 'mojolicious', mojo('7c1e0f9a2b'), target), undefined);
});

test('AUTH-02 on a real Mojolicious app: default secret (its moniker) → critical finding naming it; a strong secret → no such finding', { skip: mojoMissing() }, async () => {
  const auth02 = async (secret?: string) => {
    const app = await startMojo(secret);
    try {
      return { app, r: await runCheck('WSG-AUTH-02', app.url, { allowedOrigins: [app.origin], credentials: { ...defaultCredentials(), cookie: app.alice }, canary: '{"type":"whoami"}', canaryExpect: '"user"' }) };
    } finally {
      await app.close();
    }
  };
  const weak = await auth02();
  const f = weak.r.findings.find((x) => x.title === 'Credential signed with a well-known secret');
  assert.equal(f?.severity, 'critical', JSON.stringify(weak.r.findings));
  assert.match(f?.evidence ?? '', /cookie mojolicious \(Mojolicious signed cookie \(HMAC-SHA256\)\) verifies with the secret "myapp"/);
  assert.doesNotMatch(JSON.stringify(weak.r.findings), new RegExp(weak.app.alice.split('--')[1]!), 'the cookie itself is never shown');
  const strong = await auth02('f3a9c2e81b7d4e6fa0c5b9d2e7f1a3c8');
  assert.equal(strong.r.findings.filter((x) => x.title === 'Credential signed with a well-known secret').length, 0, JSON.stringify(strong.r.findings));
});
