import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { WsguardError } from '../../../src/protocol/index.js';
import { collect, connect, mintToken, request, startGuard, waitFor } from '../helpers.js';

test('handler: a throwing handler answers internal (no stack, no message) and the connection and process survive', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  h.guard.message('boom', z.object({}), () => {
    throw new Error('secret internals at /srv/app/db.js:42');
  });
  h.guard.message('boom_async', z.object({}), async () => {
    await Promise.resolve();
    throw new TypeError('cannot read x of undefined');
  });
  const ws = await connect(h, { token: await mintToken() });
  for (const type of ['boom', 'boom_async']) {
    const r = await request(ws, { type, id: 'b1' });
    assert.deepEqual(r, { type: 'error', id: 'b1', payload: { code: 'internal', message: 'Internal error.' } });
  }
  assert.equal((await request(ws, { type: 'ping' })).type, 'pong');
  assert.equal(h.events.filter((e) => e.kind === 'handler_error').length, 2);
  assert.ok(h.logs.some((l) => l.includes('handler threw')));
  ws.close();
});

test('handler: WsguardError maps to its code with the registry message, never the thrown text', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  h.guard.message('gone', z.object({}), () => {
    throw new WsguardError('history_gone', 'user input <b>echo</b>');
  });
  const ws = await connect(h, { token: await mintToken() });
  const r = await request(ws, { type: 'gone' });
  assert.deepEqual(r.payload, { code: 'history_gone', message: 'Requested history is older than retention; resync.' });
  ws.close();
});

test('handler: ctx.reply replaces the ack; messages of one connection are handled in order', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  const order: number[] = [];
  h.guard.message('slow', z.object({ n: z.number().int() }), async (ctx, p) => {
    await new Promise((r) => setTimeout(r, p.n === 0 ? 100 : 0));
    order.push(p.n);
    if (p.n === 2) ctx.reply({ type: 'subscribed', payload: { channel: 'files:acme', seq: 7 } });
    return { seq: p.n };
  });
  const ws = await connect(h, { token: await mintToken() });
  const got = collect(ws);
  for (let n = 0; n < 3; n++) ws.send(JSON.stringify({ type: 'slow', id: `s${n}`, payload: { n } }));
  await waitFor(() => got.length === 3, 5000, 'replies');
  assert.deepEqual(order, [0, 1, 2]);
  assert.deepEqual(got, [
    { type: 'ack', id: 's0', payload: { seq: 0 } },
    { type: 'ack', id: 's1', payload: { seq: 1 } },
    { type: 'subscribed', id: 's2', payload: { channel: 'files:acme', seq: 7 } },
  ]);
  ws.close();
});

test('handler: the automatic ack on the wire is the JSON of { type, payload, id } (templated, not built)', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  h.guard.message('seq', z.object({ n: z.number().int() }), (_ctx, p) => (p.n === 0 ? undefined : { seq: p.n }));
  const ws = await connect(h, { token: await mintToken() });
  const raw: string[] = [];
  ws.on('message', (d) => raw.push(String(d)));
  ws.send(JSON.stringify({ type: 'seq', id: 'a:1', payload: { n: 0 } }));
  ws.send(JSON.stringify({ type: 'seq', payload: { n: 5 } }));
  ws.send(JSON.stringify({ type: 'seq', id: 'b', payload: { n: 9 } }));
  await waitFor(() => raw.length === 3, 5000, 'acks');
  assert.deepEqual(raw, [
    JSON.stringify({ type: 'ack', payload: {}, id: 'a:1' }),
    JSON.stringify({ type: 'ack', payload: { seq: 5 } }),
    JSON.stringify({ type: 'ack', payload: { seq: 9 }, id: 'b' }),
  ]);
  ws.close();
});
