import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { connect, mintToken, request, startGuard } from '../helpers.js';

test('json: syntax errors, deep nesting, forbidden keys and long strings answer invalid_message without echoing input', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  let handled = 0;
  h.guard.message('note', z.object({ data: z.unknown() }), () => {
    handled++;
  });
  const ws = await connect(h, { token: await mintToken() });
  const deep = `{"type":"note","payload":{"data":${'['.repeat(50)}${']'.repeat(50)}}}`;
  const attacks = [
    '{"type":"note",',
    deep,
    '{"type":"note","payload":{"data":{"__proto__":{"isAdmin":true}}}}',
    '{"type":"note","payload":{"data":{"constructor":{"prototype":{"x":1}}}}}',
    `{"type":"note","payload":{"data":"${'<script>'.repeat(2000)}"}}`,
    `{"type":"note","payload":{"data":{${Array.from({ length: 100 }, (_, i) => `"k${i}":1`).join(',')}}}}`,
  ];
  for (const attack of attacks) {
    const reply = await request(ws, attack);
    assert.equal(reply.type, 'error');
    assert.deepEqual(reply.payload, { code: 'invalid_message', message: 'The message does not match the protocol.' });
    assert.equal(JSON.stringify(reply).includes('script'), false);
  }
  assert.equal(handled, 0);
  assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
  const reasons = h.events.flatMap((e) => (e.kind === 'violation' ? [e.reason] : []));
  assert.deepEqual(reasons, ['json_syntax', 'json_depth', 'json_forbidden_key', 'json_forbidden_key', 'json_string_length', 'json_keys']);
  ws.close();
});
