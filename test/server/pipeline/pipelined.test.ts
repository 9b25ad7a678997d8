/**
 * The runner's order for pipelined routes (pipeline/queue.ts), over real sockets, with handlers the
 * test releases by hand: pipelined handlers start without waiting for the ones before them (at most
 * maxPipelined, counted in wsguard_pipeline_full_total past it); a non-pipelined message starts
 * only once everything before it is answered; answers leave in arrival order whatever order the
 * handlers finish in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { z } from 'zod';
import type WebSocket from 'ws';
import { collect, connect, mintToken, startGuard, waitFor } from '../helpers.js';

function sendBurst(ws: WebSocket, frames: readonly object[]): void {
  const socket = (ws as unknown as { _socket: Socket })._socket;
  socket.cork();
  for (const f of frames) ws.send(JSON.stringify(f));
  socket.uncork();
}

test('pipelined handlers start ahead (up to maxPipelined), a plain message waits for them, answers leave in arrival order', async (t) => {
  const h = await startGuard({ maxPipelined: 3 });
  t.after(() => h.close());
  const started: string[] = [];
  const release = new Map<string, (seq: number) => void>();
  h.guard.message('slow', z.object({ n: z.number() }), (ctx) => {
    started.push(ctx.id!);
    return new Promise<{ seq: number }>((resolve) => release.set(ctx.id!, (seq) => resolve({ seq })));
  }, { pipelined: true });
  h.guard.message('plain', z.object({}), (ctx) => {
    started.push(ctx.id!);
    return undefined;
  });
  const ws = await connect(h, { token: await mintToken() });
  const inbox = collect(ws);
  sendBurst(ws, [
    { type: 'slow', id: 's1', payload: { n: 1 } },
    { type: 'slow', id: 's2', payload: { n: 2 } },
    { type: 'slow', id: 'bad', payload: { n: 'x' } },
    { type: 'slow', id: 's3', payload: { n: 3 } },
    { type: 'plain', id: 'p1' },
    { type: 'slow', id: 's4', payload: { n: 4 } },
    { type: 'slow', id: 's5', payload: { n: 5 } },
    { type: 'slow', id: 's6', payload: { n: 6 } },
    { type: 'slow', id: 's7', payload: { n: 7 } },
  ]);
  // s1, s2 start at once; 'bad' is refused but its error waits for s1 and s2, and holds s3 back.
  await waitFor(() => started.length === 2, 5000, 's1 and s2 started');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(started, ['s1', 's2']);
  assert.equal(inbox.length, 0, 'nothing answered before s1');
  release.get('s2')!(2); // finishing out of order answers nothing yet
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(inbox.length, 0);
  release.get('s1')!(1);
  await waitFor(() => started.includes('s3'), 5000, 's3 started');
  assert.deepEqual(inbox.map((m) => ('id' in m ? m.id : m.type)), ['s1', 's2', 'bad']);
  // 'plain' waits for s3 to be answered.
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(started, ['s1', 's2', 's3']);
  release.get('s3')!(3);
  // Then s4, s5, s6 start together (maxPipelined 3); s7 waits for a slot.
  await waitFor(() => started.length === 7, 5000, 'p1, s4-s6 started');
  assert.deepEqual(started, ['s1', 's2', 's3', 'p1', 's4', 's5', 's6']);
  const full = await h.guard.metrics.registry.getSingleMetric('wsguard_pipeline_full_total')!.get();
  assert.ok((full.values[0]?.value ?? 0) >= 1, 's7 waited for the cap');
  release.get('s6')!(6);
  release.get('s5')!(5);
  release.get('s4')!(4);
  await waitFor(() => started.includes('s7'), 5000, 's7 started');
  release.get('s7')!(7);
  await waitFor(() => inbox.length === 9, 5000, 'every answer');
  assert.deepEqual(inbox.map((m) => ('id' in m ? m.id : m.type)), ['s1', 's2', 'bad', 's3', 'p1', 's4', 's5', 's6', 's7']);
  assert.deepEqual(inbox.map((m) => (m.type === 'ack' ? (m.payload.seq ?? 0) : m.type)), [1, 2, 'error', 3, 0, 4, 5, 6, 7]);
  ws.close();
});

test('a pipelined handler that throws: its error keeps its place, and the handlers after it still answer in order', async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  h.guard.message('slow', z.object({ n: z.number() }), async (_ctx, p) => {
    await gate;
    if (p.n === 2) throw new Error('boom');
    return { seq: p.n };
  }, { pipelined: true });
  const ws = await connect(h, { token: await mintToken() });
  const inbox = collect(ws);
  sendBurst(ws, [1, 2, 3].map((n) => ({ type: 'slow', id: `m${n}`, payload: { n } })));
  await new Promise((r) => setTimeout(r, 50));
  open();
  await waitFor(() => inbox.length === 3, 5000, 'three answers');
  assert.deepEqual(inbox.map((m) => ('id' in m ? m.id : m.type)), ['m1', 'm2', 'm3']);
  assert.deepEqual(inbox.map((m) => (m.type === 'error' ? m.payload.code : m.type)), ['ack', 'internal', 'ack']);
  ws.close();
});
