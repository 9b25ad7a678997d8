import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import type * as ClientModule from '../../src/client/index.js';
import { startPeer } from './support/setup.js';
import { NodeWebSocket } from './support/util.js';
import { CLIENT_BUNDLE_FILE, CLIENT_BUNDLE_OPTIONS } from '../../scripts/client-bundle.js';

// The build script's options, in memory (tests do not write public/vendor).
async function bundle(): Promise<{ code: string; inputs: string[] }> {
  const result = await build({ ...CLIENT_BUNDLE_OPTIONS, write: false, outdir: 'out', logLevel: 'silent' });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

test('browser bundle: only client and protocol sources (no zod), no storage APIs, no node: imports', async () => {
  const { code, inputs } = await bundle();
  for (const input of inputs) assert.match(input, /^src\/(client|protocol)\/[a-z-]+\.ts$/);
  assert.ok(!inputs.includes('src/protocol/messages.ts'), 'messages.ts (zod) stays out');
  for (const word of ['localStorage', 'sessionStorage', 'document.cookie', 'indexedDB', 'node:', 'zod']) {
    assert.ok(!code.includes(word), `bundle mentions ${word}`);
  }
});

test('the bundle runs on its own: subscribe and publish through it', async (t) => {
  const { code } = await bundle();
  const mod = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as typeof ClientModule;
  const peer = await startPeer(t);
  const client = mod.createClient({ url: peer.url, WebSocket: NodeWebSocket, token: () => 'tkn' });
  t.after(() => client.close());
  const seqs: number[] = [];
  await client.subscribe('files:b', { onEvent: (e) => seqs.push(e.seq) }).ready;
  assert.equal(await client.publish('file_delete', { channel: 'files:b', path: 'x' }), 1);
  await client.ping();
  assert.deepEqual(seqs, [1]);
  assert.equal(peer.handshakes[0]!.token, 'tkn');
});

test('the committed public/vendor/wsguard-client.js is the current build (run: npm run build:client)', async () => {
  const { code } = await bundle();
  const committed = readFileSync(CLIENT_BUNDLE_FILE, 'utf8');
  assert.equal(committed, code);
});
