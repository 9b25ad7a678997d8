import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientError, type FileEvent } from '../../src/client/index.js';
import { startClient, startPeer } from './support/setup.js';
import { fakeJwt, nowSeconds, waitFor } from './support/util.js';

const upload = (channel: string, path: string) => ({ channel, path, size: 1, mime: 'text/plain', sha256: 'a'.repeat(64) });

test('subscribe receives events; publish resolves with the seq; correlation ids c-1, c-2, ...', async (t) => {
  const peer = await startPeer(t);
  const { client, states } = startClient(t, peer, { token: () => fakeJwt({ sub: 'u' }) });
  const got: FileEvent[] = [];
  const sub = client.subscribe('files:acme', { onEvent: (e) => got.push(e) });
  assert.equal(await sub.ready, 0);
  assert.equal(await client.publish('file_upload', upload('files:acme', 'a.txt')), 1);
  assert.equal(await client.publish('file_delete', { channel: 'files:acme', path: 'a.txt' }), 2);
  await waitFor(() => got.length === 2, 'two events');
  assert.deepEqual(got.map((e) => [e.seq, e.kind, e.path]), [[1, 'file_upload', 'a.txt'], [2, 'file_delete', 'a.txt']]);
  assert.equal(sub.lastSeq, 2);
  assert.ok((await client.ping()) >= 0);
  assert.deepEqual(peer.received.map((f) => f.id), ['c-1', 'c-2', 'c-3', 'c-4']);
  assert.deepEqual(states, ['open']);
  assert.equal(client.state, 'open');
  // Token as subprotocol beside wsguard.v1; nothing in the URL.
  assert.equal(peer.handshakes.length, 1);
  assert.equal(peer.handshakes[0]!.url, '/ws');
  assert.deepEqual(peer.handshakes[0]!.protocols, ['wsguard.v1', `wsguard.bearer.${fakeJwt({ sub: 'u' })}`]);
  // Unsubscribe: no more delivery.
  sub.unsubscribe();
  await waitFor(() => peer.framesOfType('unsubscribe').length === 1, 'unsubscribe frame');
  peer.append('files:acme', 'file_delete', 'late');
  await client.ping();
  assert.equal(got.length, 2);
});

test('ticket provider: a fresh single-use ticket in the URL for every connection, no token anywhere', async (t) => {
  const peer = await startPeer(t);
  let n = 0;
  const { client } = startClient(t, peer, { ticket: async () => `tk-${++n}` });
  await client.ping();
  peer.closeAll(1001, 'shutdown');
  await waitFor(() => client.reconnects === 1 && client.state === 'open', 'reconnect');
  assert.deepEqual(peer.handshakes.map((h) => [h.url, h.protocols, h.token]), [
    ['/ws?ticket=tk-1', ['wsguard.v1'], undefined],
    ['/ws?ticket=tk-2', ['wsguard.v1'], undefined],
  ]);
});

test('an error frame rejects publish with a typed ClientError carrying the protocol code', async (t) => {
  const peer = await startPeer(t);
  const { client } = startClient(t, peer);
  peer.failNextPublish = 'forbidden';
  await assert.rejects(client.publish('file_delete', { channel: 'files:acme', path: 'x' }), (e: unknown) => {
    assert.ok(e instanceof ClientError);
    assert.equal(e.code, 'forbidden');
    assert.equal(e.retryable, false);
    return true;
  });
  peer.failNextPublish = 'unavailable';
  await assert.rejects(client.publish('file_delete', { channel: 'files:acme', path: 'x' }), { code: 'unavailable', retryable: true });
  assert.equal(peer.head('files:acme'), 0);
  // The connection is still usable.
  assert.equal(await client.publish('file_delete', { channel: 'files:acme', path: 'x' }), 1);
});

test('a refused subscription rejects ready and calls onError; the channel can be subscribed again', async (t) => {
  const peer = await startPeer(t);
  const { client } = startClient(t, peer);
  peer.forbidden.add('files:secret');
  const errors: ClientError[] = [];
  const sub = client.subscribe('files:secret', { onEvent: () => {}, onError: (e) => errors.push(e) });
  await assert.rejects(sub.ready, { code: 'forbidden', channel: 'files:secret' });
  assert.deepEqual(errors.map((e) => e.code), ['forbidden']);
  peer.forbidden.clear();
  const again = client.subscribe('files:secret', { onEvent: () => {} });
  assert.equal(await again.ready, 0);
  assert.throws(() => client.subscribe('files:secret', { onEvent: () => {} }), { code: 'already_subscribed' });
});

test('history_gone calls onHistoryGone, then the subscription continues from the channel head', async (t) => {
  const peer = await startPeer(t);
  for (let i = 0; i < 10; i++) peer.append('files:old', 'file_delete', `f${i}`);
  peer.retainFrom('files:old', 8);
  const { client } = startClient(t, peer);
  const gone: unknown[] = [];
  const got: number[] = [];
  const sub = client.subscribe('files:old', { since: 3, onEvent: (e) => got.push(e.seq), onHistoryGone: (info) => gone.push(info) });
  assert.equal(await sub.ready, 10);
  assert.deepEqual(gone, [{ channel: 'files:old', lastSeq: 3, reason: 'history_gone' }]);
  assert.equal(sub.lastSeq, 10);
  peer.append('files:old', 'file_delete', 'new');
  await waitFor(() => got.length === 1, 'live event after resync');
  assert.deepEqual(got, [11]);
  const subscribes = peer.framesOfType('subscribe').map((f) => f.payload);
  assert.deepEqual(subscribes, [{ channel: 'files:old', since: 3 }, { channel: 'files:old' }]);
});

test('a gap in live events is filled by resubscribing with since; each event delivered once, in order', async (t) => {
  const peer = await startPeer(t);
  const { client } = startClient(t, peer);
  const got: number[] = [];
  await client.subscribe('files:gap', { onEvent: (e) => got.push(e.seq) }).ready;
  peer.append('files:gap', 'file_delete', 'a');
  peer.dropNext.add('files:gap');
  peer.append('files:gap', 'file_delete', 'b'); // lost in transit
  peer.append('files:gap', 'file_delete', 'c'); // arrives early: gap detected
  peer.append('files:gap', 'file_delete', 'd');
  await waitFor(() => got.length === 4, 'gap filled');
  assert.deepEqual(got, [1, 2, 3, 4]);
  assert.deepEqual(peer.framesOfType('subscribe').map((f) => f.payload), [{ channel: 'files:gap' }, { channel: 'files:gap', since: 1 }]);
});

test('session.expiring: the provider is called and auth.refresh carries the new token', async (t) => {
  const peer = await startPeer(t);
  const tokens = [fakeJwt({ sub: 'u', n: 1 }), fakeJwt({ sub: 'u', n: 2 })];
  let calls = 0;
  const { client } = startClient(t, peer, { token: async () => tokens[Math.min(calls++, 1)]! });
  await client.ping();
  peer.sendAll({ type: 'session.expiring', payload: { exp: nowSeconds() + 30 } });
  await waitFor(() => peer.framesOfType('auth.refresh').length === 1, 'auth.refresh');
  assert.deepEqual(peer.framesOfType('auth.refresh')[0]!.payload, { token: tokens[1] });
  assert.equal(calls, 2);
  // A refused refresh surfaces as an error event; the connection stays up until the server closes it.
  const errors: ClientError[] = [];
  client.on('error', (e) => errors.push(e));
  peer.refuseRefresh = true;
  peer.sendAll({ type: 'session.expiring', payload: { exp: nowSeconds() + 30 } });
  await waitFor(() => errors.length === 1, 'refresh error');
  assert.equal(errors[0]!.code, 'invalid_token');
  assert.equal(client.state, 'open');
});

test('the token is refreshed before its exp without any prompt from the server', async (t) => {
  const peer = await startPeer(t);
  let calls = 0;
  // exp 3 s ahead: the refresh is due halfway through the remaining life.
  const { client } = startClient(t, peer, { token: () => fakeJwt({ sub: 'u', exp: nowSeconds() + 3, n: ++calls }) });
  await client.ping();
  await waitFor(() => peer.framesOfType('auth.refresh').length >= 1, 'proactive auth.refresh');
  const refreshed = String(peer.framesOfType('auth.refresh')[0]!.payload.token);
  assert.equal(JSON.parse(Buffer.from(refreshed.split('.')[1]!, 'base64url').toString()).n, 2);
  assert.equal(peer.handshakes.length, 1);
});

test('requests made while connecting wait for the socket; close() rejects what is pending', async (t) => {
  const peer = await startPeer(t);
  const { client, states } = startClient(t, peer);
  assert.equal(client.state, 'connecting');
  const seq = client.publish('file_delete', { channel: 'files:q', path: 'x' }); // before open
  assert.equal(await seq, 1);
  await peer.kill();
  await waitFor(() => client.state === 'reconnecting', 'reconnecting');
  const pending = client.ping();
  client.close();
  await assert.rejects(pending, { code: 'closed' });
  await assert.rejects(client.ping(), { code: 'closed' });
  assert.deepEqual(states, ['open', 'reconnecting', 'closed']);
});
