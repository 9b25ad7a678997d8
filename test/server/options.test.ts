import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createGuard, DEFAULTS, resolveOptions, WsguardConfigError, type GuardOptions } from '../../src/server/index.js';
import { SECRET } from './helpers.js';

const server = createServer();
const base: GuardOptions = { server, auth: { jwt: { secret: SECRET } } };

function keyOf(options: unknown): string {
  try {
    resolveOptions(options);
  } catch (err) {
    assert.ok(err instanceof WsguardConfigError, String(err));
    return err.key;
  }
  return 'no error';
}

test('options: defaults are the documented ones', () => {
  const o = resolveOptions(base);
  assert.equal(o.path, '/ws');
  assert.equal(o.maxPayload, 64 * 1024);
  assert.deepEqual(o.origins, []);
  assert.deepEqual(o.caps, DEFAULTS.caps);
  assert.deepEqual(o.messageRate, DEFAULTS.messageRate);
  assert.equal(o.heartbeatMs, 25_000);
  assert.equal(o.auth.ticketTtlMs, 30_000);
  assert.equal(o.auth.firstMessage, false);
  assert.equal(o.requireOrigin, 'when-cookies');
  assert.equal(o.auth.jwt?.clockToleranceSec, 30);
  assert.deepEqual(resolveOptions({ ...base, caps: { perIp: 3 } }).caps, { ...DEFAULTS.caps, perIp: 3 });
});

test('options: a bad option throws WsguardConfigError naming the key', () => {
  assert.equal(keyOf({ ...base, auth: { jwt: { secret: 'short' } } }), 'auth.jwt.secret');
  assert.equal(keyOf({ ...base, origins: ['https://app.example/'] }), 'origins.0');
  assert.equal(keyOf({ ...base, origins: ['null'] }), 'origins.0');
  assert.equal(keyOf({ ...base, origins: ['*'] }), 'origins.0');
  assert.equal(keyOf({ ...base, maxPayload: -1 }), 'maxPayload');
  assert.equal(keyOf({ ...base, caps: { perIp: 0 } }), 'caps.perIp');
  assert.equal(keyOf({ ...base, trustProxy: ['10.0.0.0/33'] }), 'trustProxy.0');
  assert.equal(keyOf({ ...base, maxPayloadd: 1 }), 'maxPayloadd');
  assert.equal(keyOf({ ...base, auth: { jwt: { secret: SECRET, algorithm: 'none' } } }), 'auth.jwt.algorithm');
  assert.equal(keyOf({ ...base, auth: { jwt: { secret: SECRET, jwksUrl: 'http://idp.example/jwks' } } }), 'auth.jwt.jwksUrl');
  assert.equal(keyOf({ ...base, auth: {} }), 'auth');
  assert.equal(keyOf({ auth: base.auth }), 'server');
  assert.equal(keyOf({ ...base, requireOrigin: 'sometimes' }), 'requireOrigin');
  assert.equal(keyOf(base), 'no error');
});

test('options: createGuard refuses an unusable public key', () => {
  assert.throws(() => createGuard({ server, auth: { jwt: { publicKey: 'not a pem' } } }), (e: unknown) => e instanceof WsguardConfigError && e.key === 'auth.jwt');
});
