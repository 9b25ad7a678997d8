import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handshakeStatus, mintToken, ORIGIN, SECRET, sleep, startGuard, type Harness } from '../helpers.js';

async function getTicket(h: Harness, token: string | undefined, origin: string | null = ORIGIN, method = 'POST') {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (origin) headers.origin = origin;
  const res = await fetch(`http://127.0.0.1:${h.port}/api/tickets`, { method, headers });
  return { status: res.status, cache: res.headers.get('cache-control'), body: (await res.json()) as { ticket?: string; expiresIn?: number; error?: { code: string } } };
}

test('tickets: POST /api/tickets → 256-bit single-use ticket; reuse gets 401', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const { status, body, cache } = await getTicket(h, await mintToken({ sub: 'tk' }));
  assert.equal(status, 200);
  assert.equal(cache, 'no-store');
  assert.match(body.ticket!, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(body.ticket!, 'base64url').length, 32);
  assert.ok(body.expiresIn! > 0 && body.expiresIn! <= 30);
  const seen: string[] = [];
  h.guard.on('connection', (c) => seen.push(`${c.identity.sub}:${c.identity.method}`));
  assert.equal(await handshakeStatus(h, { path: `/ws?ticket=${body.ticket}` }), 101);
  assert.deepEqual(seen, ['tk:ticket']);
  assert.equal(await handshakeStatus(h, { path: `/ws?ticket=${body.ticket}` }), 401);
});

test('tickets: bound to the Origin that asked; a foreign origin cannot redeem (and burns it)', async (t) => {
  const other = 'http://other.test';
  const h = await startGuard({ origins: [ORIGIN, other] });
  t.after(() => h.close());
  const { body } = await getTicket(h, await mintToken());
  assert.equal(await handshakeStatus(h, { path: `/ws?ticket=${body.ticket}`, origin: other }), 401);
  assert.equal(await handshakeStatus(h, { path: `/ws?ticket=${body.ticket}`, origin: ORIGIN }), 401);
  const noOrigin = await getTicket(h, await mintToken(), null);
  assert.equal(await handshakeStatus(h, { path: `/ws?ticket=${noOrigin.body.ticket}`, origin: ORIGIN }), 401);
  const noOrigin2 = await getTicket(h, await mintToken(), null);
  assert.equal(await handshakeStatus(h, { path: `/ws?ticket=${noOrigin2.body.ticket}`, origin: null }), 101);
});

test('tickets: expired and made-up tickets get 401', async (t) => {
  const h = await startGuard({ auth: { jwt: { secret: (await import('../helpers.js')).SECRET }, ticketTtlMs: 200 } });
  t.after(() => h.close());
  const { body } = await getTicket(h, await mintToken());
  await sleep(500);
  assert.equal(await handshakeStatus(h, { path: `/ws?ticket=${body.ticket}` }), 401);
  assert.equal(await handshakeStatus(h, { path: `/ws?ticket=${'A'.repeat(43)}` }), 401);
  assert.equal(await handshakeStatus(h, { path: '/ws?ticket=short' }), 401);
});

test('tickets: the endpoint refuses missing or bad tokens, foreign origins and other methods', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  assert.equal((await getTicket(h, undefined)).status, 401);
  const bad = await getTicket(h, 'a.b.c');
  assert.equal(bad.status, 401);
  assert.equal(bad.body.error?.code, 'invalid_token');
  assert.equal((await getTicket(h, await mintToken(), 'https://evil.example')).status, 403);
  assert.equal((await getTicket(h, await mintToken(), 'null')).status, 403);
  assert.equal((await getTicket(h, await mintToken(), ORIGIN, 'GET')).status, 405);
});

test('tickets: guard.issueTicket never outlives the token', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const exp = Math.floor(Date.now() / 1000) + 2;
  const issued = await h.guard.issueTicket({ sub: 's', exp, perms: { subscribe: [], publish: [] }, method: 'bearer' }, ORIGIN);
  assert.ok(issued.expiresIn <= 2);
  // Past exp, even inside the clock tolerance (30 s): no ticket (the gate opens no session with it).
  await assert.rejects(h.guard.issueTicket({ sub: 's', exp: exp - 10, perms: { subscribe: [], publish: [] }, method: 'bearer' }, ORIGIN));
  await assert.rejects(h.guard.issueTicket({ sub: 's', exp: exp - 40, perms: { subscribe: [], publish: [] }, method: 'bearer' }, ORIGIN));
});

test('POST /api/tickets with a token just past exp: 401 invalid_token (no session could open with it), never 500; the same token opens no WebSocket either', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const now = Math.floor(Date.now() / 1000);
  const expired = await mintToken({ sub: 'late', iat: now - 60, exp: now - 5 }); // inside the 30 s clock tolerance
  const { status, body } = await getTicket(h, expired);
  assert.equal(status, 401);
  assert.equal(body.error?.code, 'invalid_token');
  // Admitted and closed at once, its client would reconnect with it again and again until the tolerance ran out.
  assert.equal(await handshakeStatus(h, { token: expired }), 401);
  // Past the tolerance: 401 invalid_token, never 500.
  const late = await getTicket(h, await mintToken({ sub: 'late', iat: now - 60, exp: now - 40 }));
  assert.equal(late.status, 401);
  assert.equal(late.body.error?.code, 'invalid_token');
  assert.ok(!h.logs.some((l) => l.includes('ticket handler threw')));
});

test('POST /api/tickets: an unexpected error answers 500 internal and is logged (never silent)', async (t) => {
  const failing = { put: () => Promise.reject(new TypeError('boom in put')), take: () => Promise.resolve(undefined), close: () => Promise.resolve() };
  const h = await startGuard({ ticketStore: failing });
  t.after(() => h.close());
  const { status, body } = await getTicket(h, await mintToken({ sub: 'err' }));
  assert.equal(status, 500);
  assert.equal(body.error?.code, 'internal');
  assert.ok(h.logs.some((l) => l.includes('ticket handler threw') && l.includes('boom in put')), h.logs.join(''));
});

test('tickets: requests without a valid token do not spend the address\'s minting budget (an attacker on the users\' NAT, no account, cannot lock them out)', async (t) => {
  const h = await startGuard({ auth: { jwt: { secret: SECRET }, ticketLimits: { perIpPerMin: 5, perUserPerMin: 100, maxPerUser: 100, maxTotal: 1000 } } });
  t.after(() => h.close());
  for (let i = 0; i < 20; i++) assert.notEqual((await getTicket(h, i % 2 ? undefined : 'not.a.jwt')).status, 200);
  const valid = await mintToken({ sub: 'nat-user' });
  for (let i = 0; i < 5; i++) assert.equal((await getTicket(h, valid)).status, 200, `valid request ${i + 1} of the 5 per minute`);
  // The budget still bounds what valid tokens mint from one address.
  assert.equal((await getTicket(h, valid)).status, 429);
});

test('tickets: requests one subject\'s own rate or cap refuses do not spend the address\'s minting budget (one account cannot lock out its NAT neighbours)', async (t) => {
  const h = await startGuard({ auth: { jwt: { secret: SECRET }, ticketLimits: { perIpPerMin: 6, perUserPerMin: 3, maxPerUser: 100, maxTotal: 1000 } } });
  t.after(() => h.close());
  const mallory = await mintToken({ sub: 'mallory' });
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) statuses.push((await getTicket(h, mallory)).status);
  assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
  assert.ok(statuses.slice(3).every((s) => s === 429), statuses.join());
  // 3 of the address's 6 were spent by mallory's issued tickets; the 17 refused requests spent none.
  const alice = await mintToken({ sub: 'alice' });
  for (let i = 0; i < 3; i++) assert.equal((await getTicket(h, alice)).status, 200, `alice ${i + 1}`);
});
