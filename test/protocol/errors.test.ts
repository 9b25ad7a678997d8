// The error classes: WsguardError keeps a cause off the wire, unavailable() wraps backend failures once,
// and the one configuration error names its key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WsguardError } from '../../src/protocol/index.js';
import { unavailable, WsguardConfigError } from '../../src/protocol/failures.js';
import { WsguardConfigError as ServerConfigError } from '../../src/server/index.js';

test('unavailable() wraps a backend failure as `unavailable` with it as cause, and passes a WsguardError through', () => {
  const disk = Object.assign(new Error('SQLITE_READONLY: attempt to write a readonly database'), { code: 'SQLITE_READONLY' });
  const e = unavailable(disk);
  assert.equal(e.code, 'unavailable');
  assert.equal(e.status, 503);
  assert.equal(e.cause, disk);
  assert.doesNotMatch(e.message, /SQLITE/, 'the fixed registry message, never the backend text');
  const limit = new WsguardError('channel_limit');
  assert.equal(unavailable(limit), limit);
});

test('WsguardConfigError is one class for guard options and hub settings, naming the key', () => {
  assert.equal(ServerConfigError, WsguardConfigError);
  const cause = new Error('bad pem');
  const e = new WsguardConfigError('auth.jwt', 'not a PEM key', { cause });
  assert.equal(e.key, 'auth.jwt');
  assert.equal(e.message, 'invalid configuration: auth.jwt: not a PEM key');
  assert.equal(e.cause, cause);
});
