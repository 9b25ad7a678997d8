import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, ClientError, jwtExpiry } from '../../src/client/index.js';
import { refreshDelay } from '../../src/client/token.js';
import { BEARER_SUBPROTOCOL_PREFIX, decodeServerFrame, SUBPROTOCOL } from '../../src/client/wire.js';
import * as protocol from '../../src/protocol/index.js';
import { fakeJwt, seededRandom } from './support/util.js';

test('backoff: full jitter stays in [0, min(max, initial * 2^attempt)) and spreads out', () => {
  const opts = { initialMs: 100, maxMs: 5_000 };
  const random = seededRandom(42);
  for (let attempt = 0; attempt < 40; attempt++) {
    const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** attempt);
    const draws = Array.from({ length: 500 }, () => backoffDelay(attempt, opts, random));
    for (const d of draws) assert.ok(Number.isInteger(d) && d >= 0 && d < ceiling, `attempt ${attempt}: ${d}`);
    // Jitter really spreads: both halves of the range are used.
    assert.ok(draws.some((d) => d < ceiling / 2) && draws.some((d) => d >= ceiling / 2), `attempt ${attempt} spread`);
  }
  // Extremes of the random source, and absurd attempt numbers, stay bounded.
  assert.equal(backoffDelay(0, opts, () => 0), 0);
  assert.equal(backoffDelay(3, opts, () => 0.999999999), 799);
  assert.equal(backoffDelay(10_000, opts, () => 0.5), 2_500);
  assert.equal(backoffDelay(-5, opts, () => 0.5), 50);
});

test('jwtExpiry decodes base64url payloads without Buffer and ignores garbage', () => {
  // '??>' encodes to base64 with '+' and '/', i.e. '-' and '_' in base64url; é exercises UTF-8 decoding.
  const jwt = fakeJwt({ sub: 'é??>', exp: 1767225600 });
  assert.ok(/[-_]/.test(jwt.split('.')[1]!));
  assert.equal(jwtExpiry(jwt), 1767225600);
  for (const bad of ['', 'abc', 'a..b', 'a.!!!.b', fakeJwt({ exp: 'soon' }), `x.${btoa('null')}.y`, fakeJwt({})]) assert.equal(jwtExpiry(bad), undefined, bad);
});

test('refreshDelay: ahead of expiry, never before half the remaining life, nothing when nearly expired', () => {
  const now = 1_000_000_000;
  assert.equal(refreshDelay(now / 1000 + 3600, 30_000, now), 3_570_000);
  assert.equal(refreshDelay(now / 1000 + 10, 30_000, now), 5_000);
  assert.equal(refreshDelay(now / 1000 + 1, 30_000, now), undefined);
  assert.equal(refreshDelay(now / 1000 - 5, 30_000, now), undefined);
});

test('wire constants are the protocol\'s own (no copies to drift)', () => {
  assert.equal(SUBPROTOCOL, protocol.SUBPROTOCOL);
  assert.equal(BEARER_SUBPROTOCOL_PREFIX, protocol.BEARER_SUBPROTOCOL_PREFIX);
});

test('decodeServerFrame accepts protocol frames and rejects anything else', () => {
  assert.deepEqual(decodeServerFrame('{"type":"ack","id":"c-1","payload":{"seq":3}}'), { type: 'ack', id: 'c-1', payload: { seq: 3 } });
  assert.deepEqual(decodeServerFrame('{"type":"pong","id":"c-2"}'), { type: 'pong', id: 'c-2', payload: {} });
  const event = { channel: 'files:a', seq: 1, kind: 'file_delete', path: 'x', by: 'u', at: 't' };
  assert.deepEqual(decodeServerFrame(JSON.stringify({ type: 'event', payload: event })), { type: 'event', payload: event });
  for (const bad of [
    'not json',
    '[]',
    '{"type":"nope"}',
    '{"type":"event","payload":{"channel":"files:a","seq":-1,"kind":"file_delete","path":"x","by":"u","at":"t"}}',
    '{"type":"event","payload":{"channel":"files:a","seq":1,"kind":"rm","path":"x","by":"u","at":"t"}}',
    '{"type":"subscribed","payload":{"channel":"files:a","seq":1.5}}',
    '{"type":"error","payload":{}}',
  ]) assert.equal(decodeServerFrame(bad), null, bad);
  assert.equal(decodeServerFrame(new Uint8Array(2)), null);
});

test('ClientError: stable codes, retryable from the protocol registry or the client table', () => {
  assert.equal(new ClientError('forbidden', 'x').retryable, false);
  assert.equal(new ClientError('unavailable', 'x').retryable, true);
  assert.equal(new ClientError('disconnected', 'x').retryable, true);
  assert.equal(new ClientError('closed', 'x').retryable, false);
  const e = new ClientError('connection_closed', 'x', { closeCode: 4403, closeReason: 'r' });
  assert.ok(e instanceof Error);
  assert.equal(e.closeCode, 4403);
  assert.equal(e.name, 'ClientError');
});
