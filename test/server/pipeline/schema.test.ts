import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { connect, mintToken, request, startGuard } from '../helpers.js';

test('envelope and schema: unknown keys, wrong types and unknown message types are refused', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const seen: unknown[] = [];
  // A plain z.object: the guard makes it strict.
  h.guard.message('rename', z.object({ name: z.string().max(20) }), (_ctx, p) => {
    seen.push(p);
  });
  const ws = await connect(h, { token: await mintToken() });
  const code = async (m: unknown) => {
    const r = await request(ws, m);
    return r.type === 'error' ? r.payload.code : r.type;
  };
  assert.equal(await code({ type: 'rename', id: 'a', payload: { name: 'ok' } }), 'ack');
  assert.equal(await code({ type: 'rename', payload: { name: 'ok', isAdmin: true } }), 'invalid_message');
  assert.equal(await code({ type: 'rename', payload: { name: 42 } }), 'invalid_message');
  assert.equal(await code({ type: 'rename', payload: { name: 'ok' }, userId: 'someone-else' }), 'invalid_message');
  assert.equal(await code({ type: 'Rename', payload: {} }), 'invalid_message');
  assert.equal(await code([1, 2]), 'invalid_message');
  assert.equal(await code({ type: 'admin_delete_all', payload: {} }), 'unknown_type');
  assert.equal(await code({ type: 'ping', payload: { extra: 1 } }), 'invalid_message');
  assert.deepEqual(seen, [{ name: 'ok' }]);
  const r = await request(ws, { type: 'nope', id: 'c-9' });
  assert.equal(r.type === 'error' && r.id, 'c-9');
  ws.close();
});

test('message(): bad types and duplicates throw config errors', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  assert.throws(() => h.guard.message('Bad Type', z.object({}), () => undefined), /message\.type/);
  assert.throws(() => h.guard.message('ping', z.object({}), () => undefined), /already declared/);
});
