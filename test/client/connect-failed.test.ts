/**
 * A client pointed at a port nothing listens on (a wrong port, a hub not started yet): every failed
 * attempt is an `error` event `connect_failed` carrying the runtime's cause, the state says it is
 * retrying (`reconnecting`), a request waiting for the connection times out naming why, and once the
 * server appears on that port the client connects by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { ClientError, createClient } from '../../src/client/index.js';
import { startClient, startPeer } from './support/setup.js';
import { NodeWebSocket, waitFor } from './support/util.js';

test('connection refused: connect_failed error events with ECONNREFUSED, state reconnecting with backoff, then connects when the server comes up', async (t) => {
  const peer = await startPeer(t);
  await peer.kill(); // a real closed port: nothing listens on it now
  const errors: ClientError[] = [];
  const { client, states } = startClient(t, peer, { onError: (e) => errors.push(e), requestTimeoutMs: 300 });

  await waitFor(() => errors.length >= 3, 'an error event per failed attempt');
  assert.equal(client.state, 'reconnecting');
  assert.deepEqual(states, ['reconnecting'], 'left connecting at the first failure, then kept retrying');
  for (const e of errors) {
    assert.ok(e instanceof ClientError);
    assert.equal(e.code, 'connect_failed');
    assert.equal(e.retryable, true);
    assert.equal((e.cause as NodeJS.ErrnoException | undefined)?.code, 'ECONNREFUSED', String(e.cause));
    assert.match(e.message, /ECONNREFUSED/);
  }

  // A request waiting for the connection says why it was never sent.
  const err = await client.ping().then(
    () => assert.fail('ping cannot succeed with nothing listening'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ClientError && err.code === 'timeout', String(err));
  assert.match(err.message, /no connection.*ECONNREFUSED/);

  await peer.start(); // the same port
  await waitFor(() => client.state === 'open', 'connected once the server listens');
  assert.equal(client.reconnects, 0, 'never had a connection to lose');
  await client.ping();
  assert.deepEqual(states, ['reconnecting', 'open']);
});

test('a server that drops the handshake without an HTTP answer is connect_failed too, retried', async (t) => {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const errors: ClientError[] = [];
  const client = createClient({ url: `ws://127.0.0.1:${port}/ws`, WebSocket: NodeWebSocket, backoff: { initialMs: 10, maxMs: 100 }, onError: (e) => errors.push(e) });
  t.after(() => client.close());
  await waitFor(() => errors.length >= 2, 'two failed attempts');
  assert.ok(errors.every((e) => e.code === 'connect_failed'), errors.map((e) => e.message).join(' | '));
  assert.equal(client.state, 'reconnecting');
});

test('a wss:// URL on a plain server is final: one connect_failed naming the TLS error, state closed, no retries', async (t) => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); // a plain HTTP server's answer to a TLS ClientHello
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  const errors: ClientError[] = [];
  const client = createClient({ url: `wss://127.0.0.1:${port}/ws`, WebSocket: NodeWebSocket, backoff: { initialMs: 10, maxMs: 50 }, onError: (e) => errors.push(e) });
  t.after(() => client.close());
  await waitFor(() => client.state === 'closed', 'the terminal state');
  await new Promise((r) => setTimeout(r, 200)); // a retry would have come by now
  assert.equal(errors.length, 1, errors.map((e) => e.message).join(' | '));
  assert.equal(errors[0]!.code, 'connect_failed');
  assert.match(errors[0]!.message, /wrong version number|EPROTO|SSL/i);
});
