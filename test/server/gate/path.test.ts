import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handshakeStatus, mintToken, startGuard } from '../helpers.js';

test('path: only the configured path upgrades', async (t) => {
  const h = await startGuard({ path: '/live' });
  t.after(() => h.close());
  const token = await mintToken();
  assert.equal(await handshakeStatus(h, { token, path: '/live' }), 101);
  assert.equal(await handshakeStatus(h, { token, path: '/live?x=1' }), 101);
  for (const path of ['/ws', '/live/', '/LIVE', '/live/../live2', '/']) assert.equal(await handshakeStatus(h, { token, path }), 400, path);
});
