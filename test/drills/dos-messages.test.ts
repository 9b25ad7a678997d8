/**
 * DoS drills on open connections: a message flood, a compression bomb. (Slow consumers, which
 * need the hub's own memory figures, are in slow-consumers.test.ts.)
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateMessage, endpointOf, Opcode, rawHandshake } from '../../src/audit/raw/index.js';
import { ALICE, BOB, removeDir, startTestHub, token, type TestHub } from '../hub/support.js';
import { attempt, closed, metric, pingPong } from './lib/clients.js';

let hub: TestHub | undefined;
after(async () => {
  await hub?.close(1_000);
  if (hub) removeDir(hub.dir);
});

async function defaultHub(): Promise<TestHub> {
  hub ??= await startTestHub();
  return hub;
}

test('message flood: 2,000 pings at once are throttled (rate_limited) and the socket closed 1008, others unaffected', async () => {
  const h = await defaultHub();
  const flooder = await attempt(h.wsUrl, await token('alice', ALICE));
  const bystander = await attempt(h.wsUrl, await token('bob', BOB));
  assert.ok(flooder.ok && bystander.ok);
  const answers: Record<string, number> = {};
  flooder.ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { type: string; payload: { code?: string } };
    const key = m.type === 'error' ? `error ${m.payload.code}` : m.type;
    answers[key] = (answers[key] ?? 0) + 1;
  });
  const end = closed(flooder.ws, 15_000);
  for (let i = 0; i < 2_000 && flooder.ws.readyState === flooder.ws.OPEN; i++) flooder.ws.send(JSON.stringify({ type: 'ping', id: `f${i}`, payload: {} }));
  const close = await end;
  assert.deepEqual(close, { code: 1008, reason: 'rate_limited' }, `answers: ${JSON.stringify(answers)}`);
  assert.ok((answers['error rate_limited'] ?? 0) >= 1, `told rate_limited first: ${JSON.stringify(answers)}`);
  assert.ok((answers.pong ?? 0) < 2_000 / 4, `most of the flood was not served: ${JSON.stringify(answers)}`);
  assert.equal(await pingPong(bystander.ws), true, 'another client is still served');
  bystander.ws.terminate();
});

test('compression bomb: deflate is never negotiated, and a compressed (RSV1) frame closes 1002', async () => {
  const h = await defaultHub();
  const ep = endpointOf(new URL(h.wsUrl));
  const hs = await rawHandshake(ep, {
    request: {
      path: ep.path,
      host: ep.hostHeader,
      headers: [
        ['Sec-WebSocket-Protocol', 'wsguard.v1'],
        ['Authorization', `Bearer ${await token('alice', ALICE)}`],
        ['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits, permessage-deflate'],
      ],
    },
    keepOpen: true,
  });
  assert.equal(hs.response.status, 101);
  assert.equal(hs.response.headers['sec-websocket-extensions'], undefined, 'the offer is declined (DESIGN.md: permessage-deflate off)');
  const conn = hs.connection!;
  // 64 MiB of zeros deflate to about 64 KiB: the bomb is sent anyway, as if deflate were on.
  const bomb = deflateMessage(Buffer.alloc(64 * 1024 * 1024));
  const before = await h.guard.registry.metrics();
  conn.sendFrame({ opcode: Opcode.TEXT, payload: bomb, rsv1: true });
  const { closeFrame } = await conn.waitClose(10_000);
  conn.destroy();
  assert.equal(closeFrame?.closeCode, 1002, 'closed as a protocol error, never inflated');
  const after = await h.guard.registry.metrics();
  assert.equal(metric(after, 'wsguard_violations_total', 'reason="protocol_error"') - metric(before, 'wsguard_violations_total', 'reason="protocol_error"'), 1, 'counted as a violation');
  const legit = await attempt(h.wsUrl, await token('alice', ALICE));
  assert.ok(legit.ok && (await pingPong(legit.ws)));
  if (legit.ok) legit.ws.terminate();
});

// DESIGN.md: the id is echoed in the error that answers a request. Without it the client SDK could
// not fail the refused request and would wait for its timeout although the server did nothing.
test('message flood: every rate_limited error carries the id of the message it refuses', async () => {
  const h = await defaultHub();
  const a = await attempt(h.wsUrl, await token('carol', ALICE));
  assert.ok(a.ok);
  const refused: (string | undefined)[] = [];
  a.ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { type: string; id?: string; payload: { code?: string } };
    if (m.type === 'error' && m.payload.code === 'rate_limited') refused.push(m.id);
  });
  const end = closed(a.ws, 15_000);
  for (let i = 0; i < 60; i++) a.ws.send(JSON.stringify({ type: 'ping', id: `r${i}`, payload: {} }));
  const deadline = Date.now() + 10_000;
  while (refused.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  a.ws.terminate();
  await end;
  assert.ok(refused.length > 0, 'the flood was throttled');
  assert.deepEqual(refused.filter((id) => id === undefined), [], 'every refusal names the request it refuses');
});
