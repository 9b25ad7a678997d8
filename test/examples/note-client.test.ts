// The README's `note` example end to end: the server from examples/attach-http.ts, the client from
// examples/note-client.ts (wsguard/client's typed request API), over a real socket.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { start } from '../../examples/attach-http.js';
import { sendNotes } from '../../examples/note-client.js';
import { signToken } from '../../src/auth/sign.js';
import { createClient } from '../../src/client/index.js';

/** The README's example server on a random port, closed after the test; its URL and a token for `sub`. */
async function exampleServer(t: TestContext, sub: string): Promise<{ url: string; token: string }> {
  const secret = randomBytes(32).toString('base64url');
  const { server, guard } = start(secret);
  t.after(async () => {
    await guard.close();
    server.close();
  });
  await once(server, 'listening');
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  return { url, token: await signToken({ secret, sub, perms: { subscribe: [], publish: [] }, ttlSec: 600 }) };
}

test('note: ack, invalid_message naming payload.text, forbidden', async (t) => {
  const { url, token } = await exampleServer(t, 'u1');
  assert.deepEqual(await sendNotes(url, token), ['stored: seq 5', 'refused: invalid_message at payload.text', 'refused: forbidden']);
});

test('request(): waits for the connection, refuses the client\'s own types, rejects unknown_type, resends only when idempotent', async (t) => {
  const { url, token } = await exampleServer(t, 'u2');
  const client = createClient<{ note: { text: string }; nope: object; subscribe: object }>({ url, token: () => token, WebSocket, backoff: { initialMs: 10, maxMs: 20 } });
  t.after(() => client.close());
  // Made before the socket is open: sent once it is.
  assert.deepEqual(await client.request('note', { text: 'abc' }), { seq: 3 });
  await assert.rejects(client.request('nope', {}), { code: 'unknown_type' });
  await assert.rejects(client.request('subscribe', {}), { code: 'invalid_message' });

  // A drop before the answer: at most once by default (disconnected), resent when idempotent.
  let dropNext = 2;
  const seen: string[] = [];
  const realSend = WebSocket.prototype.send;
  t.after(() => (WebSocket.prototype.send = realSend));
  // Cut the socket right after a note leaves the client, twice: the server may or may not have run it.
  WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    (realSend as (...a: unknown[]) => void).call(this, data, ...rest);
    if (typeof data === 'string' && data.includes('"note"') && dropNext > 0) {
      dropNext -= 1;
      seen.push(data);
      this.terminate();
    }
  } as typeof WebSocket.prototype.send;
  await assert.rejects(client.request('note', { text: 'once' }), { code: 'disconnected', retryable: true });
  assert.deepEqual(await client.request('note', { text: 'twice' }, { idempotent: true }), { seq: 5 });
  assert.equal(seen.length, 2);
});
