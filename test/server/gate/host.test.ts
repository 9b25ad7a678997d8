import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mintToken, rawConnect, startGuard } from '../helpers.js';

async function status(port: number, host: string, token: string): Promise<number> {
  const raw = await rawConnect(port, { headers: { Host: host, Authorization: `Bearer ${token}` } });
  raw.socket.destroy();
  return raw.status;
}

test('host: loopback names on the listening port pass; foreign hosts (DNS rebinding) get 403', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const token = await mintToken();
  assert.equal(await status(h.port, `127.0.0.1:${h.port}`, token), 101);
  assert.equal(await status(h.port, `localhost:${h.port}`, token), 101);
  assert.equal(await status(h.port, 'app.test', token), 101); // host of an allowed origin
  assert.equal(await status(h.port, `evil.example:${h.port}`, token), 403);
  assert.equal(await status(h.port, `localhost:${h.port + 1}`, token), 403);
  assert.equal(await status(h.port, `127.0.0.1.evil.example:${h.port}`, token), 403);
  assert.ok(h.events.some((e) => e.kind === 'handshake_refused' && e.reason === 'host'));
});

test('host: an explicit list replaces the derived one', async (t) => {
  const h = await startGuard({ hosts: ['ws.example.com'] });
  t.after(() => h.close());
  const token = await mintToken();
  assert.equal(await status(h.port, 'ws.example.com', token), 101);
  assert.equal(await status(h.port, 'ws.example.com:443', token), 101);
  assert.equal(await status(h.port, `127.0.0.1:${h.port}`, token), 403);
  assert.equal(await status(h.port, 'evil.ws.example.com', token), 403);
});

test('host: a missing Host header is refused', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  assert.equal(await status(h.port, '', await mintToken()), 400);
});
