import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createGuard, WsguardConfigError } from '../../../src/server/index.js';
import { handshakeStatus, ORIGIN, startGuard } from '../helpers.js';

const cookie = (req: import('node:http').IncomingMessage) =>
  req.headers.cookie === 'sid=good' ? { sub: 'cookie-user', perms: { subscribe: [], publish: [] } } : undefined;

test('cookie hook: valid session from an allowed origin passes; bad session 401; foreign or missing origin 403', async (t) => {
  const h = await startGuard({ auth: { cookie } });
  t.after(() => h.close());
  assert.equal(await handshakeStatus(h, { headers: { cookie: 'sid=good' } }), 101);
  assert.equal(await handshakeStatus(h, { headers: { cookie: 'sid=bad' } }), 401);
  assert.equal(await handshakeStatus(h, { headers: { cookie: 'sid=good' }, origin: 'https://evil.example' }), 403);
  assert.equal(await handshakeStatus(h, { headers: { cookie: 'sid=good' }, origin: null }), 403);
  assert.equal(await handshakeStatus(h, {}), 401);
});

test('cookie hook: refused without an origin allowlist', () => {
  assert.throws(() => createGuard({ server: createServer(), origins: [], auth: { cookie } }), (e: unknown) => e instanceof WsguardConfigError && e.key === 'auth.cookie');
  assert.throws(() => createGuard({ server: createServer(), origins: [ORIGIN], requireOrigin: 'never', auth: { cookie } }), WsguardConfigError);
});
