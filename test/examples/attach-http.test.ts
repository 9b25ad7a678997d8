// Runs the README's attach example for real: it must keep working as the API evolves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
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

/** Code statements of a snippet: comments, blank lines and indentation dropped, `export` ignored. */
function statements(code: string): string[] {
  return code
    .split('\n')
    .map((l) => l.replace(/\s+\/\/ .*$/, '').replace(/^\s*\/\/.*$/, '').trim().replace(/^export /, '').replace(/\s+/g, ' '))
    .filter((l) => l.length > 0);
}

test('the README example and examples/attach-http.ts say the same, and the README one runs as pasted (secret, log, hardened server)', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## `wsguard/server`: attach to your own server'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'the README server example');
  const example = new Set(statements(readFileSync(new URL('../../examples/attach-http.ts', import.meta.url), 'utf8')));
  const readmeLines = statements(block);
  // Everything it uses is defined in the block itself.
  for (const def of ['const secret = process.env.JWT_SECRET!;', 'const log = console;', "import { createGuard, secureHttpOptions, WsguardError } from 'wsguard/server';"]) {
    assert.ok(readmeLines.includes(def), `README defines: ${def}`);
  }
  assert.ok(readmeLines.includes('const server = createServer(secureHttpOptions(), (req, res) => {'), 'hardened like docs/server.md');
  // What only a top-level script has (imports from the package, the env secret, a fixed port, SIGTERM).
  const scriptOnly = (l: string) => l.startsWith('import ') || l.startsWith('const secret =') || l.startsWith('server.listen(') || l.startsWith('process.on(');
  const differing = readmeLines.filter((l) => !scriptOnly(l) && !example.has(l));
  assert.deepEqual(differing, [], 'README statements missing from examples/attach-http.ts: keep the two the same');
});
