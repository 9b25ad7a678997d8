import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64url, UnsecuredJWT } from 'jose';
import { connect, handshakeStatus, mintToken, startGuard } from '../helpers.js';

const now = () => Math.floor(Date.now() / 1000);

test('authenticate: no, forged, alg:none, expired, exp-less and foreign-key tokens get 401', async (t) => {
  const h = await startGuard({ authFailures: { perMin: 600, burst: 100 } });
  t.after(() => h.close());
  const good = await mintToken();
  assert.equal(await handshakeStatus(h, { token: good }), 101);
  assert.equal(await handshakeStatus(h, {}), 401);
  const [head, body, sig] = good.split('.') as [string, string, string];
  const flipped = `${head}.${body}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
  const elevated = `${head}.${base64url.encode(JSON.stringify({ sub: 'admin', exp: now() + 3600 }))}.${sig}`;
  const none = new UnsecuredJWT({ sub: 'user-1' }).setExpirationTime('1h').encode();
  const noneHeader = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${body}.`;
  const cases: Record<string, string> = {
    flipped,
    elevated,
    none,
    noneHeader,
    expired: await mintToken({ exp: now() - 120 }),
    noExp: await mintToken({ exp: null }),
    otherKey: await mintToken({}, 'another-secret-that-is-long-enough-32b'),
    garbage: 'not-a-jwt',
  };
  for (const [name, token] of Object.entries(cases)) assert.equal(await handshakeStatus(h, { token }), 401, name);
  for (const [name, token] of Object.entries(cases)) {
    assert.equal(await handshakeStatus(h, { protocols: ['wsguard.v1', `wsguard.bearer.${token}`] }), 401, `subprotocol ${name}`);
  }
  assert.ok(h.events.filter((e) => e.kind === 'handshake_refused' && e.status === 401).length >= 16);
});

test('authenticate: a JWT in the query string is refused even when valid', async (t) => {
  const h = await startGuard({ authFailures: { perMin: 600, burst: 100 } }); // every refusal here is a failure: 401, not yet 429
  t.after(() => h.close());
  const token = await mintToken();
  for (const key of ['token', 'access_token', 'jwt']) {
    assert.equal(await handshakeStatus(h, { path: `/ws?${key}=${token}` }), 401, key);
    assert.equal(await handshakeStatus(h, { token, path: `/ws?${key}=${token}` }), 401, `${key} with header`);
  }
  // Under any other name, as a bare key, or with its dots percent-encoded (found by the attacker).
  const encoded = token.replaceAll('.', '%2E');
  const embedded = [`a=1;t=${token}`, `x=${token},`, `x=${token}%20`, `x="${token}"`, `x=%23${token}`, `x=jwt:${token}`, `state={"token":"${token}"}`, `next=${encodeURIComponent(`https://app.example/cb?token=${token}`)}`];
  for (const query of [`foo=${token}`, token, `a=${encoded}`, `x=1&state=${token}`, ...embedded]) {
    assert.equal(await handshakeStatus(h, { token, path: `/ws?${query}` }), 401, query.slice(0, 12));
  }
  assert.ok(h.events.some((e) => e.kind === 'handshake_refused' && e.reason === 'query_token'));
  // An ordinary query still works.
  assert.equal(await handshakeStatus(h, { token, path: '/ws?client=web&v=2' }), 101);
});

test('authenticate: bearer header and subprotocol entry both work; the identity carries sub and perms', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const seen: string[] = [];
  h.guard.on('connection', (c) => seen.push(`${c.identity.sub}:${c.identity.method}:${c.identity.perms.subscribe.join(',')}`));
  const a = await connect(h, { token: await mintToken({ sub: 'a' }) });
  const b = await connect(h, { protocols: ['wsguard.v1', `wsguard.bearer.${await mintToken({ sub: 'b' })}`] });
  assert.deepEqual(seen, ['a:bearer:files:acme', 'b:subprotocol:files:acme']);
  a.terminate();
  b.terminate();
});

test('authenticate: issuer and audience are checked when configured', async (t) => {
  const h = await startGuard({ auth: { jwt: { secret: (await import('../helpers.js')).SECRET, issuer: 'https://idp.test', audience: 'wsguard' } } });
  t.after(() => h.close());
  assert.equal(await handshakeStatus(h, { token: await mintToken({ iss: 'https://idp.test', aud: 'wsguard' }) }), 101);
  assert.equal(await handshakeStatus(h, { token: await mintToken({ iss: 'https://evil.test', aud: 'wsguard' }) }), 401);
  assert.equal(await handshakeStatus(h, { token: await mintToken({ iss: 'https://idp.test', aud: 'other' }) }), 401);
  assert.equal(await handshakeStatus(h, { token: await mintToken() }), 401);
});

test('authenticate: repeated failures from one IP get 429; a valid credential from that IP still gets in (issue 10)', async (t) => {
  const h = await startGuard({ authFailures: { perMin: 1, burst: 3 } });
  t.after(() => h.close());
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push(await handshakeStatus(h, { token: 'x.y.z' }));
  assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429]);
  assert.equal(await handshakeStatus(h, { token: await mintToken() }), 101, 'a bystander behind the same address is not locked out');
  assert.equal(await handshakeStatus(h, { token: 'x.y.z' }), 429, 'failures stay throttled');
});

test('authenticate: a malformed Authorization header is a failure, not an anonymous request', async (t) => {
  const h = await startGuard({ auth: { jwt: { secret: (await import('../helpers.js')).SECRET }, firstMessage: true } });
  t.after(() => h.close());
  assert.equal(await handshakeStatus(h, { headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401);
});
