import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAllowedOrigin, originMatcher } from '../../../src/server/gate/origin.js';
import { handshakeStatus, mintToken, ORIGIN, rawConnect, startGuard } from '../helpers.js';

test('origin: exact match only; foreign, look-alike, suffix, prefix and null origins get 403', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const token = await mintToken();
  assert.equal(await handshakeStatus(h, { token, origin: ORIGIN }), 101);
  for (const origin of [
    'https://evil.example',
    'http://app.test.evil.example',
    'http://evilapp.test',
    'http://xapp.test',
    'https://app.test',
    'http://app.test:8080',
    'http://APP.test',
    'http://app.test/',
    'http://app.test`evil.example',
    'null',
  ]) {
    assert.equal(await handshakeStatus(h, { token, origin }), 403, origin);
  }
  const refused = h.events.filter((e) => e.kind === 'handshake_refused');
  assert.ok(refused.some((e) => e.kind === 'handshake_refused' && e.reason === 'origin_null'));
  assert.ok(refused.every((e) => e.kind === 'handshake_refused' && e.status === 403));
});

test('origin: a refusal is a plain HTTP answer with Connection: close and a tiny fixed body', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const raw = await rawConnect(h.port, { headers: { Origin: 'https://evil.example', Authorization: `Bearer ${await mintToken()}` } });
  await raw.ended;
  assert.equal(raw.status, 403);
  assert.match(raw.head, /\r\nConnection: close\r\n/i);
  assert.doesNotMatch(raw.head, /Upgrade|Sec-WebSocket-Accept|X-Powered-By|Server:/i);
  assert.deepEqual(raw.frames, []);
});

test('origin: missing Origin is allowed for non-browser clients, refused with a cookie or requireOrigin: always', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const token = await mintToken();
  assert.equal(await handshakeStatus(h, { token, origin: null }), 101);
  assert.equal(await handshakeStatus(h, { token, origin: null, headers: { cookie: 'sid=abc' } }), 403);
  const strict = await startGuard({ requireOrigin: 'always' });
  t.after(() => strict.close());
  assert.equal(await handshakeStatus(strict, { token, origin: null }), 403);
});

test('origin: an empty allowlist refuses every browser origin', async (t) => {
  const h = await startGuard({ origins: [] });
  t.after(() => h.close());
  assert.equal(await handshakeStatus(h, { token: await mintToken(), origin: ORIGIN }), 403);
});

test('isAllowedOrigin: canonical form only', () => {
  const allowed = new Set(['https://a.example']);
  assert.equal(isAllowedOrigin('https://a.example', allowed), true);
  for (const o of ['https://a.example/', 'https://A.example', 'https://a.example:443', 'https://a.examplex', 'null', 'https://a.example.evil', 'garbage']) {
    assert.equal(isAllowedOrigin(o, allowed), false, o);
  }
});

test('originMatcher (URL parsed once per allowlist entry) answers as isAllowedOrigin does', () => {
  // Non-canonical and odd entries in the list itself must never let a request through.
  const list = ['https://a.example', 'http://b.example:8080', 'https://A.example/', 'null', 'garbage', 'https://c.example:443'];
  const allowed = new Set(list);
  const matches = originMatcher(list);
  const probes = [...list, 'https://a.example/', 'https://A.example', 'https://a.example:443', 'http://b.example:8080', 'http://b.example', 'https://c.example', 'https://a.examplex', 'x'.repeat(3000)];
  for (const o of probes) assert.equal(matches(o), isAllowedOrigin(o, allowed), o);
  assert.equal(matches('https://a.example'), true);
  assert.equal(matches('https://A.example/'), false, 'a non-canonical list entry matches nothing');
});
