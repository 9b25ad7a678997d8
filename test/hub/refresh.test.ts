/**
 * auth.refresh must not keep old rights: subscriptions the new token no longer allows end with
 * `unsubscribed` + reason and get no more events; revoking the old or the new jti closes the socket.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { startTestHub, removeDir, TestClient, upload, ALICE, SECRET, type TestHub } from './support.js';
import type { Permissions } from '../../src/auth/types.js';

let hub: TestHub;
before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub.close(1000);
  removeDir(hub.dir);
});

function jwt(sub: string, perms: Permissions, jti: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ perms }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt(now).setExpirationTime(now + 600).setJti(jti).sign(new TextEncoder().encode(SECRET));
}

const NARROW: Permissions = { subscribe: ['files:acme/public'], publish: [] };

test('refresh to narrower perms ends the subscriptions it no longer allows (unsubscribed, reason forbidden); no more events there', async () => {
  const c = await TestClient.connect(hub, await jwt('carol', { subscribe: ['files:acme', 'files:acme/*'], publish: [] }, 'r-1'));
  assert.equal((await c.request('subscribe', { channel: 'files:acme' })).type, 'subscribed');
  assert.equal((await c.request('subscribe', { channel: 'files:acme/public' })).type, 'subscribed');
  const publisher = await TestClient.connect(hub, await jwt('alice', ALICE, 'r-pub'));
  assert.equal((await publisher.request('file_upload', upload('files:acme', 'before.pdf'))).type, 'ack');
  await c.until(() => c.events('files:acme').length === 1);

  assert.equal((await c.request('auth.refresh', { token: await jwt('carol', NARROW, 'r-2') })).type, 'ack');
  const ended = c.inbox.find((m) => m.type === 'unsubscribed' && m.payload.channel === 'files:acme');
  assert.deepEqual(ended, { type: 'unsubscribed', payload: { channel: 'files:acme', reason: 'forbidden' } });
  assert.ok(!c.inbox.some((m) => m.type === 'unsubscribed' && m.payload.channel === 'files:acme/public'), 'the allowed one stays');

  // Events on the lost channel no longer arrive; the kept channel still delivers.
  assert.equal((await publisher.request('file_upload', upload('files:acme', 'after.pdf'))).type, 'ack');
  assert.equal((await publisher.request('file_upload', upload('files:acme/public', 'kept.pdf'))).type, 'ack');
  await c.until(() => c.events('files:acme/public').length === 1);
  assert.equal(c.events('files:acme').length, 1);
  // And it cannot come back on the new token.
  assert.equal((await c.request('subscribe', { channel: 'files:acme' })).type, 'error');
  c.close();
  publisher.close();
});

for (const which of ['old', 'new'] as const) {
  test(`after a refresh, revoking the ${which} jti closes the socket (1008 revoked)`, async () => {
    const c = await TestClient.connect(hub, await jwt('dave', NARROW, `${which}-1`));
    assert.equal((await c.request('auth.refresh', { token: await jwt('dave', NARROW, `${which}-2`) })).type, 'ack');
    await hub.guard.revoke({ jti: which === 'old' ? `${which}-1` : `${which}-2` });
    await c.until(() => c.closeCode !== undefined).catch(() => undefined);
    assert.equal(c.closeCode, 1008);
  });
}
