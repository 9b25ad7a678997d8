/**
 * The auditor on Socket.IO servers (real `socket.io` over real sockets): the token rides in the
 * CONNECT auth payload, events written as JSON arrays go out as EVENT packets, and the replies
 * are read back through their arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ackArgs, connectPacket, eventArgs, eventPacket } from '../../src/audit/socketio.js';
import { concreteRequest, socketIoAuth } from '../../src/audit/request-variant.js';
import { resolveOptions } from '../../src/audit/options.js';
import { startSocketIoServer } from '../fixtures/socketio-server.js';
import { ALLOWED, runCheck, track } from './harness.js';

const TOKEN = 'sio-token-alice-0123456789';
/** The operator's view of a Socket.IO app: io(url, { auth: { token } }), emit("whoami", ack). */
const OPERATOR = { allowedOrigins: [ALLOWED], credentials: { token: TOKEN, tokenIn: 'message' as const }, canary: '["whoami"]', canaryExpect: '"user"' };

test('codec: EVENT with namespace and ack id, CONNECT with auth, replies read as their arguments', () => {
  assert.equal(eventPacket('["chat","hi"]', '/', 1), '421["chat","hi"]');
  assert.equal(eventPacket('["chat",{"a":1}]', '/admin', 7), '42/admin,7["chat",{"a":1}]');
  assert.equal(eventPacket('{"type":"chat"}', '/', 1), null);
  assert.equal(eventPacket('[1,2]', '/', 1), null);
  assert.equal(eventPacket('42["chat"]', '/', 1), null);
  assert.equal(connectPacket('/', { token: 't' }), '40{"token":"t"}');
  assert.equal(connectPacket('/admin', { token: 't' }), '40/admin,{"token":"t"}');
  assert.equal(connectPacket('/'), '40');
  assert.equal(eventArgs('431[{"user":"alice"}]'), '[{"user":"alice"}]');
  assert.equal(eventArgs('42/admin,["chat","<p>x</p>"]'), '["chat","<p>x</p>"]');
  assert.equal(eventArgs('40{"sid":"x"}'), '40{"sid":"x"}');
  assert.equal(eventArgs('hello'), 'hello');
  assert.deepEqual(ackArgs('431["<b>"]'), ['<b>']);
  assert.deepEqual(ackArgs('43/admin,7[{"a":1}]'), [{ a: 1 }]);
  assert.equal(ackArgs('421["echo","x"]'), null);
});

test('--token-in message on Socket.IO: no bare auth frame (Engine.IO closes the transport on it); the token goes in the CONNECT', () => {
  const target = new URL('ws://127.0.0.1:1/socket.io/?EIO=4&transport=websocket');
  const o = resolveOptions(target, { credentials: { token: TOKEN, tokenIn: 'message' } });
  assert.equal(concreteRequest(target, o).firstMessage, undefined);
  assert.deepEqual(socketIoAuth(o.credentials), { token: TOKEN });
  // A token moved to the query (WSG-AUTH-03) leaves no copy in the CONNECT.
  assert.equal(socketIoAuth({ ...o.credentials, tokenIn: 'query' }), undefined);
  assert.deepEqual(socketIoAuth({ ...o.credentials, authMessage: '{"jwt":"{{token}}"}' }), { jwt: TOKEN });
});

test('AUTH-02 on Socket.IO, --token-in message: a middleware that takes any token → finding; one that checks it → pass', async () => {
  const weak = track(await startSocketIoServer({ authTokenPrefix: '' }));
  const w = await runCheck('WSG-AUTH-02', weak.url.replace(/\?.*/, ''), OPERATOR);
  assert.equal(w.result.status, 'fail', w.result.reason);
  assert.match(w.findings[0]?.evidence ?? '', /token \(sent in the Socket\.IO CONNECT auth\), made-up value .*→ 101, canary answered: 431\[\{"id"/);
  const strict = track(await startSocketIoServer({ authToken: TOKEN }));
  const s = await runCheck('WSG-AUTH-02', strict.url, OPERATOR);
  assert.equal(s.result.status, 'pass', JSON.stringify(s.findings));
});

test('INPUT-01 on Socket.IO: --message ["chat","hi"] is emitted as an event; a raw HTML reflection → finding, an encoded one → pass', async () => {
  const weak = track(await startSocketIoServer({ authToken: TOKEN, chat: 'raw' }));
  const w = await runCheck('WSG-INPUT-01', weak.url, { ...OPERATOR, messages: ['["chat","hi"]'] });
  assert.equal(w.result.status, 'fail', w.result.reason);
  assert.match(w.findings[0]?.evidence ?? '', /onerror=wsg|onload=wsg/);
  const safe = track(await startSocketIoServer({ authToken: TOKEN, chat: 'encoded' }));
  const s = await runCheck('WSG-INPUT-01', safe.url, { ...OPERATOR, messages: ['["chat","hi"]'] });
  assert.equal(s.result.status, 'pass', JSON.stringify(s.findings));
});

test('INPUT-01 on Socket.IO: an ack handing back the event\'s own argument (431["<img…>"]) is self-reflection, info like a plain echo, not high', async () => {
  const echo = track(await startSocketIoServer({ authToken: TOKEN, echo: true }));
  const r = await runCheck('WSG-INPUT-01', echo.url, { ...OPERATOR, messages: ['["echo","hi"]'] });
  assert.deepEqual(r.findings.map((f) => [f.severity, f.confidence]), [['info', 'certain']], JSON.stringify(r.findings));
  assert.match(r.findings[0]?.evidence ?? '', /hands each event's own arguments back to its sender only, by Socket\.IO ack .*self-reflection/);
  // An object argument acked whole is the same echo.
  const obj = await runCheck('WSG-INPUT-01', echo.url, { ...OPERATOR, messages: ['["echo",{"text":"hi"}]'] });
  assert.deepEqual(obj.findings.map((f) => [f.severity, f.confidence]), [['info', 'certain']], JSON.stringify(obj.findings));
});

test('a namespace (--namespace /admin): CONNECT and events go to it', async () => {
  const weak = track(await startSocketIoServer({ authTokenPrefix: '', namespace: '/admin', chat: 'raw' }));
  const w = await runCheck('WSG-INPUT-01', weak.url, { ...OPERATOR, namespace: '/admin', messages: ['["chat","hi"]'] });
  assert.equal(w.result.status, 'fail', w.result.reason);
});
