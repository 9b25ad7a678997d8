// Runs the README's attach example for real: it must keep working as the API evolves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { start } from '../../examples/attach-http.js';
import { signToken } from '../../src/auth/sign.js';

test('the README example authenticates, checks Origin, validates and answers', async (t) => {
  const secret = randomBytes(32).toString('base64url');
  const { server, guard } = start(secret);
  t.after(async () => {
    await guard.close();
    server.close();
  });
  await once(server, 'listening');
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  const token = await signToken({ secret, sub: 'u1', perms: { subscribe: [], publish: [] }, ttlSec: 600 });

  const status = (origin: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(url, ['wsguard.v1'], { origin, headers: { Authorization: `Bearer ${token}` } });
      ws.once('open', () => (ws.close(), resolve(101)));
      ws.once('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0));
    });
  assert.equal(await status('https://evil.example'), 403);
  assert.equal(await status('https://app.example'), 101);

  const ws = new WebSocket(url, ['wsguard.v1'], { origin: 'https://app.example', headers: { Authorization: `Bearer ${token}` } });
  await once(ws, 'open');
  const answers: unknown[] = [];
  ws.on('message', (d) => answers.push(JSON.parse(String(d))));
  ws.send(JSON.stringify({ type: 'note', id: 'n1', payload: { text: 'hello' } }));
  ws.send(JSON.stringify({ type: 'note', id: 'n2', payload: { text: 'hi', extra: true } }));
  ws.send(JSON.stringify({ type: 'note', id: 'n3', payload: { text: '/admin' } }));
  const deadline = Date.now() + 5000;
  while (answers.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(answers, [
    { type: 'ack', id: 'n1', payload: { seq: 5 } },
    // The failing field is named by its schema path (an unknown key: the object holding it), never by input.
    { type: 'error', id: 'n2', payload: { code: 'invalid_message', message: 'The message does not match the protocol.', field: 'payload' } },
    { type: 'error', id: 'n3', payload: { code: 'forbidden', message: 'Not allowed.' } },
  ]);
  ws.close();
});
