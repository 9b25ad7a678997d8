import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { connect, mintToken, request, startGuard } from './helpers.js';

test('a valid client connects, pings, and a declared message is acked', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  h.guard.message('echo_len', z.object({ text: z.string().max(100) }), (_ctx, p) => ({ seq: p.text.length }));
  const ws = await connect(h, { token: await mintToken() });
  assert.equal(ws.protocol, 'wsguard.v1');
  assert.deepEqual(await request(ws, { type: 'ping', id: 'p1' }), { type: 'pong', id: 'p1', payload: {} });
  assert.deepEqual(await request(ws, { type: 'echo_len', id: 'e1', payload: { text: 'abc' } }), { type: 'ack', id: 'e1', payload: { seq: 3 } });
  assert.equal(h.guard.connections, 1);
  ws.close();
});
