import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTarget, resolveOptions } from '../../src/audit/options.js';
import { concreteRequest, hasAmbientCredential } from '../../src/audit/request-variant.js';

const target = new URL('ws://h.example:8080/ws?room=1');

test('credentials travel the way the baseline sends them', () => {
  const header = concreteRequest(target, resolveOptions(target, { credentials: { token: 'T' } }));
  assert.deepEqual(header.headers, [['Origin', 'https://h.example:8080'], ['Authorization', 'Bearer T']]);
  const query = concreteRequest(target, resolveOptions(target, { credentials: { token: 'T', tokenIn: 'query', tokenParam: 'access_token' } }));
  assert.equal(query.url.search, '?room=1&access_token=T');
  const sub = concreteRequest(target, resolveOptions(target, { credentials: { token: 'T', tokenIn: 'subprotocol' }, subprotocols: ['wsguard.v1'] }));
  assert.deepEqual(sub.protocols, ['wsguard.v1', 'wsguard.bearer.T']);
  const msg = concreteRequest(target, resolveOptions(target, { credentials: { token: 'T', authMessage: '{"type":"init","t":"{{token}}"}' } }));
  assert.equal(msg.firstMessage, '{"type":"init","t":"T"}');
});

test('variants: no credentials, no Origin, header removal, query removal; host never changes', () => {
  const o = resolveOptions(target, { credentials: { token: 'T', cookie: 'sid=1' } });
  const anon = concreteRequest(target, o, { withCredentials: false, origin: null, query: { room: null }, endpoint: { port: 9, tls: true } });
  assert.deepEqual(anon.headers, []);
  assert.equal(anon.url.href, 'wss://h.example:9/ws');
  const noCookie = concreteRequest(target, o, { headers: { cookie: null, 'X-A': 'b' } });
  assert.deepEqual(noCookie.headers.map(([k]) => k), ['Origin', 'Authorization', 'X-A']);
  assert.equal(hasAmbientCredential(o.credentials), true);
  assert.equal(hasAmbientCredential(resolveOptions(target, { credentials: { token: 'T' } }).credentials), false);
});

test('parseTarget: ws(s) only; Socket.IO targets get the Engine.IO v4 websocket transport', () => {
  assert.throws(() => parseTarget('http://x/ws'), /ws:\/\/ or wss:\/\//);
  assert.throws(() => parseTarget('not a url'), /not a URL/);
  assert.equal(parseTarget('ws://x/', 'socket.io').href, 'ws://x/socket.io/?EIO=4&transport=websocket');
  assert.equal(parseTarget('ws://x/socket.io/').href, 'ws://x/socket.io/?EIO=4&transport=websocket');
  assert.equal(resolveOptions(parseTarget('ws://x/socket.io/')).protocol, 'socket.io');
});
