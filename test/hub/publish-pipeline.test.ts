/**
 * One connection's publishes are pipelined (server/pipeline/queue.ts): a burst read in one go is
 * appended in arrival order and shares a group commit, while every answer (ack, error) still
 * leaves in arrival order and no ack is sent before its event is committed. Over real sockets:
 * the burst is written in one TCP write, as a folder upload or the bench's publishBurst does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { ServerMessage } from '../../src/protocol/index.js';
import { SUBPROTOCOL } from '../../src/protocol/index.js';
import { SqliteEventStore } from '../../src/store/index.js';
import { signToken } from '../../src/auth/sign.js';
import type { Identity } from '../../src/auth/types.js';
import { ALICE, TestClient, countEventWrites, removeDir, startTestHub, token, upload, type TestHub } from './support.js';

const CH = 'files:acme';
const ALICE_ID: Identity = { sub: 'alice', perms: ALICE, method: 'bearer' };

interface Sent {
  readonly id: string;
  readonly frame: string;
}

/**
 * Counts, per server-side socket, the writes handed to the OS (`_write`, or one `_writev` for the
 * chunks a cork gathered) that carry `marker`: socket.write() calls cannot show a cork.
 */
function countSyscallWrites(server: TestHub['server'], marker: string): { eventWrites: () => number[] } {
  const counts: number[] = [];
  server.on('connection', (socket: Socket) => {
    const i = counts.push(0) - 1;
    const s = socket as unknown as { _write: (...a: unknown[]) => unknown; _writev: (...a: unknown[]) => unknown };
    const write = s._write.bind(socket);
    const writev = s._writev.bind(socket);
    const has = (c: unknown) => (typeof c === 'string' || Buffer.isBuffer(c)) && c.includes(marker); // ws writes a string payload as is
    s._write = (chunk: unknown, ...rest: unknown[]) => {
      if (has(chunk)) counts[i]! += 1;
      return write(chunk, ...rest);
    };
    s._writev = (chunks: unknown, ...rest: unknown[]) => {
      if ((chunks as { chunk: unknown }[]).some((c) => has(c.chunk))) counts[i]! += 1;
      return writev(chunks, ...rest);
    };
  });
  return { eventWrites: () => [...counts] };
}

function publish(id: string, path: string, payload: object = upload(CH, path)): Sent {
  return { id, frame: JSON.stringify({ type: 'file_upload', id, payload }) };
}

/** Writes every frame in one TCP write (the socket is corked around the sends). */
function sendBurst(ws: WebSocket, burst: readonly Sent[]): void {
  const socket = (ws as unknown as { _socket: Socket })._socket;
  socket.cork();
  for (const m of burst) ws.send(m.frame);
  socket.uncork();
}

/** The answers (messages with an id) in the order they arrived. */
function answers(c: TestClient): (ServerMessage & { id: string })[] {
  return c.inbox.filter((m): m is ServerMessage & { id: string } => 'id' in m && typeof m.id === 'string');
}

async function subscribed(hub: TestHub, bearer: string, n: number): Promise<TestClient[]> {
  const subs: TestClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = await TestClient.connect(hub, bearer);
    subs.push(c);
    assert.equal((await c.request('subscribe', { channel: CH })).type, 'subscribed');
  }
  // Warm-up: the feed learns the log's epoch on its first event (a store read).
  await hub.hub.publishFrom(ALICE_ID, { kind: 'file_upload', payload: upload(CH, 'warm.pdf') });
  for (const c of subs) await c.until(() => c.events(CH).length === 1);
  return subs;
}

test('a burst with an invalid message in the middle: answers in arrival order, the error names its field, deliveries in order and batched', async () => {
  const hub = await startTestHub();
  const spy = countEventWrites(hub.server);
  const clients: TestClient[] = [];
  try {
    const bearer = await token('alice', ALICE);
    const subs = await subscribed(hub, bearer, 2);
    clients.push(...subs);
    const pub = await TestClient.connect(hub, bearer);
    clients.push(pub);
    const before = spy.eventWrites();

    const burst = Array.from({ length: 11 }, (_, i) => (i === 5 ? publish(`b-${i}`, `f${i}.pdf`, { ...upload(CH, `f${i}.pdf`), sha256: 'not-hex' }) : publish(`b-${i}`, `f${i}.pdf`)));
    sendBurst(pub.ws, burst);
    await pub.until(() => answers(pub).length === burst.length);

    const got = answers(pub);
    assert.deepEqual(got.map((m) => m.id), burst.map((m) => m.id), 'answers in arrival order');
    const bad = got[5]!;
    assert.equal(bad.type, 'error');
    assert.equal(bad.type === 'error' && bad.payload.code, 'invalid_message');
    assert.equal(bad.type === 'error' && bad.payload.field, 'payload.sha256');
    const acks = got.filter((m) => m.type === 'ack').map((m) => (m.type === 'ack' ? m.payload.seq : undefined));
    assert.deepEqual(acks, Array.from({ length: 10 }, (_, i) => i + 2), 'acked seqs follow arrival order, no gap');

    for (const c of subs) await c.until(() => c.events(CH).length === 11);
    for (const c of subs) {
      assert.deepEqual(c.events(CH), Array.from({ length: 11 }, (_, i) => i + 1));
      const paths = c.inbox.flatMap((m) => (m.type === 'event' ? [m.payload.path] : []));
      assert.deepEqual(paths.slice(1), burst.filter((_, i) => i !== 5).map((m) => (JSON.parse(m.frame) as { payload: { path: string } }).payload.path));
    }
    // Pipelined: the valid publishes around the invalid one share group commits, so each
    // subscriber gets the 10 events in a few writes (one per event when run one at a time).
    const during = spy.eventWrites().map((n, i) => n - (before[i] ?? 0)).filter((n) => n > 0);
    assert.equal(during.length, subs.length);
    for (const n of during) assert.ok(n <= 3, `event writes per subscriber: ${n} (10 events)`);
  } finally {
    for (const c of clients) c.close();
    await hub.close();
    removeDir(hub.dir);
  }
});

test('a burst of valid publishes from one connection reaches each subscriber in one write, and its acks leave in one write', async () => {
  const hub = await startTestHub();
  const spy = countEventWrites(hub.server);
  const ackSpy = countSyscallWrites(hub.server, '"type":"ack"');
  const clients: TestClient[] = [];
  try {
    const bearer = await token('alice', ALICE);
    const subs = await subscribed(hub, bearer, 2);
    clients.push(...subs);
    const pub = await TestClient.connect(hub, bearer);
    clients.push(pub);
    const before = spy.eventWrites();
    const acksBefore = ackSpy.eventWrites();
    const burst = Array.from({ length: 10 }, (_, i) => publish(`v-${i}`, `g${i}.pdf`));
    sendBurst(pub.ws, burst);
    for (const c of subs) await c.until(() => c.events(CH).length === 11);
    await pub.until(() => answers(pub).length === burst.length);
    assert.deepEqual(answers(pub).map((m) => (m.type === 'ack' ? m.payload.seq : m.type)), Array.from({ length: 10 }, (_, i) => i + 2));
    const during = spy.eventWrites().map((n, i) => n - (before[i] ?? 0)).filter((n) => n > 0);
    assert.deepEqual(during, [1, 1], 'one write per subscriber for the whole burst');
    const ackWrites = ackSpy.eventWrites().map((n, i) => n - (acksBefore[i] ?? 0)).filter((n) => n > 0);
    assert.deepEqual(ackWrites, [1], "the burst's acks in one write");
  } finally {
    for (const c of clients) c.close();
    await hub.close();
    removeDir(hub.dir);
  }
});

test("a burst that runs out of the identity's publish budget mid-way: acks, then rate_limited, in arrival order; only acked events are in the log", async () => {
  const hub = await startTestHub({ publishRatePerUser: 2 }); // burst 4
  const clients: TestClient[] = [];
  try {
    const bearer = await token('alice', ALICE);
    const pub = await TestClient.connect(hub, bearer);
    clients.push(pub);
    const burst = Array.from({ length: 10 }, (_, i) => publish(`r-${i}`, `r${i}.pdf`));
    sendBurst(pub.ws, burst);
    await pub.until(() => answers(pub).length === burst.length);
    const got = answers(pub);
    assert.deepEqual(got.map((m) => m.id), burst.map((m) => m.id), 'answers in arrival order');
    const kinds = got.map((m) => (m.type === 'ack' ? 'ack' : m.type === 'error' ? m.payload.code : m.type));
    const acked = kinds.filter((k) => k === 'ack').length;
    assert.ok(acked >= 4 && acked <= 5, `acked ${acked}`); // the bucket may refill one token during the burst
    assert.deepEqual(kinds, [...Array<string>(acked).fill('ack'), ...Array<string>(10 - acked).fill('rate_limited')]);
    assert.deepEqual(got.slice(0, acked).map((m) => (m.type === 'ack' ? m.payload.seq : 0)), Array.from({ length: acked }, (_, i) => i + 1));
    assert.equal(await hub.store.head(CH), acked, 'refused publishes were not appended');
    assert.equal(pub.closeCode, undefined);
  } finally {
    for (const c of clients) c.close();
    await hub.close();
    removeDir(hub.dir);
  }
});

test("a burst past the connection's message rate: the refusals (violations) come in order, and nothing after a refusal is appended ahead of it", async () => {
  const hub = await startTestHub({ publishRatePerUser: 1000 });
  const clients: TestClient[] = [];
  try {
    const bearer = await token('alice', ALICE);
    const pub = await TestClient.connect(hub, bearer);
    clients.push(pub);
    const burst = Array.from({ length: 46 }, (_, i) => publish(`c-${i}`, `c${i}.pdf`)); // the bucket's burst is 40
    sendBurst(pub.ws, burst);
    await pub.until(() => answers(pub).length === burst.length);
    const got = answers(pub);
    assert.deepEqual(got.map((m) => m.id), burst.map((m) => m.id), 'answers in arrival order');
    const seqs = got.flatMap((m) => (m.type === 'ack' ? [m.payload.seq] : []));
    assert.ok(seqs.length >= 40 && seqs.length < 46, `acked ${seqs.length}`);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'acked seqs follow arrival order');
    assert.ok(got.slice(0, 40).every((m) => m.type === 'ack'));
    assert.ok(got.filter((m) => m.type === 'error').every((m) => m.type === 'error' && m.payload.code === 'rate_limited'));
    assert.equal(await hub.store.head(CH), seqs.length);
  } finally {
    for (const c of clients) c.close();
    await hub.close();
    removeDir(hub.dir);
  }
});

test('a hub SIGKILLed during pipelined bursts acked nothing it had not committed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-hub-'));
  const secret = 'k'.repeat(43);
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/hub-child.ts', import.meta.url)), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, HUB_CHILD_SECRET: secret },
  });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
  try {
    const lines = createInterface({ input: child.stdout });
    const wsUrl = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('hub child did not start')), 30_000);
      lines.once('line', (l) => {
        clearTimeout(t);
        resolve(l);
      });
    });
    const bearer = await signToken({ secret, sub: 'alice', perms: ALICE, ttlSec: 600 });
    const ws = new WebSocket(wsUrl, [SUBPROTOCOL], { headers: { Authorization: `Bearer ${bearer}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const sent = new Map<string, string>(); // id -> path
    const acked: { id: string; seq: number }[] = [];
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    ws.on('error', () => undefined); // the reset when the child dies
    let round = 0;
    const nextBurst = () => {
      const burst = Array.from({ length: 8 }, (_, i) => publish(`k-${round}-${i}`, `k/${round}/${i}`));
      round++;
      for (const m of burst) sent.set(m.id, (JSON.parse(m.frame) as { payload: { path: string } }).payload.path);
      sendBurst(ws, burst);
    };
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as ServerMessage & { id?: string };
      if (m.type !== 'ack' || m.id === undefined) return;
      acked.push({ id: m.id, seq: m.payload.seq! });
      if (acked.length === 20) child.kill('SIGKILL'); // bursts still in flight behind these acks
      else if (acked.length % 8 === 4 && round < 5) nextBurst(); // the next burst lands while the last one commits
    });
    nextBurst();
    await closed;
    assert.equal(await exited, 'SIGKILL');

    const store = new SqliteEventStore({ path: join(dir, 'events.db') });
    try {
      const r = await store.replay(CH, 0, 1000);
      assert.equal(r.gone, false);
      const stored = r.gone ? [] : r.events;
      const bySeq = new Map(stored.map((e) => [e.seq, e.path]));
      assert.ok(acked.length >= 20);
      for (const a of acked) assert.equal(bySeq.get(a.seq), sent.get(a.id), `acked ${a.id} (seq ${a.seq}) is in the log with its path`);
      assert.deepEqual(acked.map((a) => a.seq), Array.from({ length: acked.length }, (_, i) => i + 1), 'acks in arrival order');
    } finally {
      await store.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    removeDir(dir);
  }
});
