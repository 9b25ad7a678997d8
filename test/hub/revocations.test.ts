/**
 * The admin revocation surface: `POST /api/revocations` (admin permission `revoke` in perms.admin,
 * rate-limited, security-logged) and `wsguard revoke` calling it; across a cluster too.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { signToken } from '../../src/auth/sign.js';
import type { Permissions } from '../../src/auth/types.js';
import type { SecurityEvent } from '../../src/server/index.js';
import { runCli } from '../cli/support.js';
import { redisSkipReason, randomPrefix, REDIS_URL } from '../cluster/redis-helpers.js';
import { startCluster, type Cluster } from '../cluster/support.js';
import { startTestHub, removeDir, TestClient, READER, SECRET, token, type TestHub } from './support.js';

const ADMIN: Permissions = { subscribe: [], publish: [], admin: ['revoke'] };
let hub: TestHub;
const events: SecurityEvent[] = [];
before(async () => {
  hub = await startTestHub({ revocationRatePerMin: 3 });
  hub.guard.on('security', (e) => events.push(e));
});
after(async () => {
  await hub.close(1000);
  removeDir(hub.dir);
});

const revoke = (h: TestHub, body: unknown, bearer?: string, type = 'application/json') =>
  fetch(h.url + '/api/revocations', {
    method: 'POST',
    headers: { 'content-type': type, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(body),
  });

async function closeOf(c: TestClient): Promise<number | undefined> {
  await c.until(() => c.closeCode !== undefined, 5000).catch(() => undefined);
  return c.closeCode;
}

test('POST /api/revocations: refused without a token (401), with a non-admin token (403), with a bad body (400 / 415)', async () => {
  assert.equal((await revoke(hub, { sub: 'x' })).status, 401);
  const ordinary = await token('eve', { ...READER, admin: ['publish-everything'] });
  const r = await revoke(hub, { sub: 'alice' }, ordinary);
  assert.equal(r.status, 403);
  assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'forbidden');
  assert.ok(events.some((e) => e.kind === 'http_auth_refused' && e.reason === 'not_admin'));
  const admin = await token('ops-bad-body', ADMIN);
  assert.equal((await revoke(hub, { sub: 'a', jti: 'b' }, admin)).status, 400);
  assert.equal((await revoke(hub, { user: 'a' }, admin)).status, 400);
  assert.equal((await revoke(hub, { sub: 'a' }, admin, 'text/plain')).status, 415);
});

test('an admin revokes a sub: its live sockets close 1008 everywhere, its token is refused, the act is security-logged', async () => {
  const victimToken = await token('mallory', READER);
  const victim = await TestClient.connect(hub, victimToken);
  const bystander = await TestClient.connect(hub, await token('bob', READER));
  const admin = await token('ops', ADMIN);
  const res = await revoke(hub, { sub: 'mallory' }, admin);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { revoked: { sub: 'mallory' } });
  assert.equal(await closeOf(victim), 1008);
  await assert.rejects(TestClient.connect(hub, victimToken), /HTTP 401/);
  assert.equal((await bystander.request('ping', {})).type, 'pong');
  const audit = events.find((e) => e.kind === 'admin_revocation');
  assert.deepEqual(audit && { ...audit, ip: undefined }, { kind: 'admin_revocation', by: 'ops', sub: 'mallory', ip: undefined });
  bystander.close();
});

test('admin revocations are rate-limited per admin (WSGUARD_REVOCATION_RATE)', async () => {
  const admin = await token('ops-rate', ADMIN);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await revoke(hub, { jti: `j-${i}` }, admin)).status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
});

test('wsguard revoke --jti calls the admin API: the token is refused and its socket closed; a non-admin token exits 1', async () => {
  const now = Math.floor(Date.now() / 1000);
  const { SignJWT } = await import('jose');
  const stolen = await new SignJWT({ perms: READER }).setProtectedHeader({ alg: 'HS256' }).setSubject('carol').setIssuedAt(now).setExpirationTime(now + 600).setJti('stolen-1').sign(new TextEncoder().encode(SECRET));
  const victim = await TestClient.connect(hub, stolen);
  const admin = await signToken({ secret: SECRET, sub: 'ops-cli', perms: ADMIN, ttlSec: 600 });
  const ok = await runCli(['revoke', '--jti', 'stolen-1', '--url', hub.url], { WSGUARD_ADMIN_TOKEN: admin });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /revoked jti stolen-1/);
  assert.equal(await closeOf(victim), 1008);
  const denied = await runCli(['revoke', '--sub', 'carol', '--url', hub.url], { WSGUARD_ADMIN_TOKEN: await token('nobody', READER) });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /refused: HTTP 403 forbidden/);
  assert.equal((await runCli(['revoke', '--sub', 'a', '--jti', 'b'], { WSGUARD_ADMIN_TOKEN: admin })).code, 2);
  assert.equal((await runCli(['revoke', '--sub', 'a'], {})).code, 2);
});

const skip = await redisSkipReason();
test('cluster: a revocation posted to node A closes the subject\'s socket on node B', { skip }, async (t) => {
  const cluster: Cluster = await startCluster(2, REDIS_URL, randomPrefix());
  t.after(() => cluster.close());
  const [a, b] = cluster.nodes as [TestHub, TestHub];
  const victim = await TestClient.connect(b, await token('trudy', READER));
  const res = await revoke(a, { sub: 'trudy' }, await token('ops-cluster', ADMIN));
  assert.equal(res.status, 200);
  assert.equal(await closeOf(victim), 1008);
});
