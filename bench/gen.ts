/**
 * A load-generator child (argv: GenSpec as JSON). It holds client sockets and runs one bounded
 * workload per command; the harness merges what several generators report.
 */
import http from 'node:http';
import type WebSocket from 'ws';
import { sourceAddress } from './lib/addresses.js';
import { nowMs, sleep } from './lib/clock.js';
import { DIALECTS } from './lib/dialects.js';
import { childArg, serve } from './lib/ipc.js';
import { tokenFor, userFor } from './lib/tokens.js';
import { FANOUT_CHANNEL, type Target } from './lib/types.js';

export interface GenSpec {
  readonly target: Target;
  /** Offsets this generator's users and source addresses from the other generators'. */
  readonly base: number;
}

const spec = childArg<GenSpec>();
const dialect = DIALECTS[spec.target.system];
const agent = new http.Agent({ keepAlive: true });
const held: WebSocket[] = [];
let nextIndex = spec.base;

async function connect(index: number): Promise<WebSocket> {
  const token = await tokenFor(spec.target.secret, userFor(index));
  return dialect.connect(spec.target, { localAddress: sourceAddress(index), token, agent });
}

/** Opens `count` sockets, `concurrency` at a time, and keeps them. */
async function openMany(count: number, concurrency = 64): Promise<{ opened: number; failed: number; error?: string }> {
  let opened = 0;
  let failed = 0;
  let error: string | undefined;
  let left = count;
  const worker = async () => {
    while (left > 0) {
      left--;
      try {
        held.push(await connect(nextIndex++));
        opened++;
      } catch (e) {
        failed++;
        error ??= (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return error === undefined ? { opened, failed } : { opened, failed, error };
}

function closeAll(): number {
  const n = held.length;
  for (const ws of held.splice(0)) ws.terminate();
  return n;
}

/** Connect, authenticated and ready, close; `concurrency` loops until the deadline. */
async function handshakes(a: { durationMs: number; concurrency: number }) {
  let count = 0;
  let failed = 0;
  let error: string | undefined;
  const started = nowMs();
  const deadline = started + a.durationMs;
  const loop = async () => {
    while (nowMs() < deadline) {
      try {
        const ws = await connect(nextIndex++);
        count++;
        await new Promise<void>((r) => {
          ws.once('close', () => r());
          ws.close();
        });
      } catch (e) {
        failed++;
        error ??= (e as Error).message;
        await sleep(10);
      }
    }
  };
  await Promise.all(Array.from({ length: a.concurrency }, loop));
  return { count, failed, ms: nowMs() - started, ...(error === undefined ? {} : { error }) };
}

/** Each of `connections` sockets keeps `window` messages in flight; replies counted after warm-up. */
async function inbound(a: { connections: number; window: number; durationMs: number; warmupMs: number }) {
  const opened = await openMany(a.connections, 16);
  if (opened.failed > 0) throw new Error(`inbound: ${opened.failed} connections failed: ${opened.error}`);
  const sockets = held.slice(-a.connections);
  let counting = false;
  let stopped = false;
  let replies = 0;
  let sent = 0;
  for (const ws of sockets) {
    ws.on('message', (d: Buffer) => {
      if (d.length === 1) return; // Engine.IO ping, answered by the dialect
      if (counting) replies++;
      if (!stopped) ws.send(dialect.note(sent++));
    });
    for (let i = 0; i < a.window; i++) ws.send(dialect.note(sent++));
  }
  await sleep(a.warmupMs);
  counting = true;
  const t0 = nowMs();
  await sleep(a.durationMs);
  counting = false;
  const ms = nowMs() - t0;
  stopped = true;
  closeAll();
  return { replies, ms };
}

// Fan-out: subscribers record publish→receipt latency of event `idx` from the path `t/<idx>/<ms>`.
const PATH = /"path":"t\/(\d+)\/([\d.]+)"/;
const received = new Map<number, { count: number; last: number }>();
const latencies: number[] = [];
let subscribers = 0;
const waiters = new Set<() => void>();

async function subscribe(a: { count: number }) {
  const opened = await openMany(a.count);
  if (opened.failed > 0) throw new Error(`subscribe: ${opened.failed} connections failed: ${opened.error}`);
  const sockets = held.slice(-a.count);
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          const onMessage = (d: Buffer) => {
            const m = d.toString();
            if (dialect.isSubscribed(m)) return resolve();
            if (!dialect.isEvent(m)) return;
            const at = nowMs();
            const match = PATH.exec(m);
            if (!match) return;
            const idx = Number(match[1]);
            latencies.push(at - Number(match[2]));
            const r = received.get(idx) ?? { count: 0, last: 0 };
            r.count++;
            r.last = Math.max(r.last, at);
            received.set(idx, r);
            if (r.count === subscribers) for (const w of waiters) w();
          };
          ws.on('message', onMessage);
          ws.send(dialect.subscribe(FANOUT_CHANNEL));
        }),
    ),
  );
  subscribers += a.count;
  return { subscribers };
}

/** Resolves with the time the last local subscriber received event `idx`. */
async function awaitEvent(a: { idx: number; timeoutMs: number }) {
  const deadline = Date.now() + a.timeoutMs;
  while ((received.get(a.idx)?.count ?? 0) < subscribers) {
    if (Date.now() > deadline) throw new Error(`event ${a.idx}: ${received.get(a.idx)?.count ?? 0}/${subscribers} received`);
    await new Promise<void>((r) => {
      const t = setTimeout(done, 50);
      function done() {
        clearTimeout(t);
        waiters.delete(done);
        r();
      }
      waiters.add(done);
    });
  }
  return { last: received.get(a.idx)!.last };
}

let publisher: WebSocket | undefined;
/** Publishes event `idx` and resolves once the server answered (ack). */
async function publish(a: { idx: number }) {
  publisher ??= await connect(nextIndex++);
  const pub = publisher;
  const sentAt = nowMs();
  await new Promise<void>((resolve) => {
    pub.once('message', () => resolve());
    pub.send(dialect.publish(FANOUT_CHANNEL, `t/${a.idx}/${sentAt.toFixed(3)}`));
  });
  return { sentAt };
}

/** Resumes from seq 0 and counts events until `events` arrived. */
async function replay(a: { events: number; timeoutMs: number }) {
  const ws = await connect(nextIndex++);
  const t0 = nowMs();
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`replay: ${count}/${a.events} events`)), a.timeoutMs);
    ws.on('message', (d: Buffer) => {
      // Cheap test on the first bytes: events are the only frames longer than 100 bytes here.
      if (d.length > 100 && ++count === a.events) {
        clearTimeout(t);
        resolve();
      }
    });
    ws.send(dialect.replay());
  });
  const ms = nowMs() - t0;
  ws.terminate();
  return { count, ms };
}

serve(
  {
    open: (a: { count: number }) => openMany(a.count),
    closeAll: () => closeAll(),
    handshakes,
    inbound,
    subscribe,
    awaitEvent,
    publish,
    latencies: () => latencies.splice(0),
    replay,
  },
  async () => {
    closeAll();
    publisher?.terminate();
  },
);
