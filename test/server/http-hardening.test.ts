import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect as netConnect } from 'node:net';
import { secureHttpOptions } from '../../src/server/index.js';

async function listen(overrides: Parameters<typeof secureHttpOptions>[0]) {
  const server = createServer(secureHttpOptions(overrides), (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

function exchange(port: number, write: (s: import('node:net').Socket) => void): Promise<string> {
  return new Promise((resolve) => {
    const s = netConnect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => resolve(out));
    write(s);
  });
}

test('http hardening: a slowloris request head is cut off at headersTimeout', async (t) => {
  const { server, port } = await listen({ headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 100 });
  t.after(() => server.close());
  let timer: NodeJS.Timeout | undefined;
  const answer = await exchange(port, (s) => {
    s.write('GET / HTTP/1.1\r\nHost: x\r\n');
    let n = 0;
    timer = setInterval(() => n++ < 100 && !s.destroyed && s.write(`X-Slow-${n}: 1\r\n`), 100);
  });
  clearInterval(timer);
  assert.match(answer, /^HTTP\/1\.1 408/);
});

test('http hardening: a request head over 16 KiB gets 431', async (t) => {
  const { server, port } = await listen({});
  t.after(() => server.close());
  const answer = await exchange(port, (s) => s.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
  assert.match(answer, /^HTTP\/1\.1 431/);
});
