import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { isAllowed } from '../../../src/protocol/index.js';
import { connect, mintToken, request, startGuard } from '../helpers.js';

test('authorize: the hook sees identity and payload; false answers forbidden and the handler never runs', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const ran: string[] = [];
  h.guard.message('publish', z.object({ channel: z.string() }), (_ctx, p) => void ran.push(p.channel), {
    authorize: (ctx, p) => isAllowed(ctx.identity.perms.publish, p.channel),
  });
  const ws = await connect(h, { token: await mintToken({ perms: { publish: ['files:acme'] } }) });
  assert.equal((await request(ws, { type: 'publish', payload: { channel: 'files:acme' } })).type, 'ack');
  const denied = await request(ws, { type: 'publish', payload: { channel: 'files:other' } });
  assert.equal(denied.type === 'error' && denied.payload.code, 'forbidden');
  assert.deepEqual(ran, ['files:acme']);
  assert.ok(h.events.some((e) => e.kind === 'violation' && e.reason === 'forbidden'));
  ws.close();
});
