/**
 * A load-generator child (argv: GenSpec as JSON). It holds raw client connections (lib/raw.ts)
 * and runs one bounded workload per command; the harness merges what several generators report.
 */
import http from 'node:http';
import { sourceAddress } from './lib/addresses.js';
import { nowMs, sleep } from './lib/clock.js';
import { DIALECTS, ENGINE_IO_PING } from './lib/dialects.js';
import { childArg, serve } from './lib/ipc.js';
import { maskedFrame, type FrameHandler, type RawConn } from './lib/raw.js';
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
const held: RawConn[] = [];
let nextIndex = spec.base;
const ENGINE_IO_PONG = maskedFrame('3');

/** Sets the connection's frame handler; Engine.IO pings are answered first (Socket.IO drops silent clients). */
function listen(conn: RawConn, handler: FrameHandler): void {
  conn.onFrame = (op, payload) => {
    if (payload.length === 1 && payload[0] === ENGINE_IO_PING) return conn.write(ENGINE_IO_PONG);
    handler(op, payload);
  };
}

async function connect(index: number): Promise<RawConn> {
  const token = await tokenFor(spec.target.secret, userFor(index));
  const conn = await dialect.connect(spec.target, { localAddress: sourceAddress(index), token, agent });
  listen(conn, () => undefined);
  return conn;
}

/** Connections being opened at once by one generator. */
const OPEN_CONCURRENCY = 64;

/** Opens `count` connections, OPEN_CONCURRENCY at a time, and keeps them. */
async function openMany(count: number): Promise<{ opened: number; failed: number; error?: string }> {
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
  await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, count) }, worker));
  return error === undefined ? { opened, failed } : { opened, failed, error };
}

function closeAll(): number {
  const n = held.length;
  for (const c of held.splice(0)) c.destroy();
  return n;
}

/** Connect (authenticated and ready), close; `concurrency` loops until the deadline. */
async function handshakes(a: { durationMs: number; concurrency: number }) {
  let count = 0;
  let failed = 0;
  let error: string | undefined;
  const started = nowMs();
  const deadline = started + a.durationMs;
  const loop = async () => {
    while (nowMs() < deadline) {
      try {
        const conn = await connect(nextIndex++);
        count++;
        await conn.close();
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

/**
 * Each connection keeps `window` messages in flight: every batch of replies is answered with as
 * many new messages in one write (on the connections opened before). Replies are counted after
 * the warm-up; `total` counts them all.
 */
async function inbound(a: { window: number; durationMs: number; warmupMs: number }) {
  const frame = maskedFrame(dialect.note(1));
  const batch = Buffer.concat(Array.from({ length: a.window }, () => frame));
  let counting = false;
  let stopped = false;
  let replies = 0;
  let total = 0;
  let wrong: string | undefined;
  for (const conn of held) {
    let owed = 0;
    listen(conn, (_op, payload) => {
      // Spot-check that replies are successful answers (not rate_limited or other errors).
      if ((owed === 0 || (replies & 4095) === 0) && !dialect.isNoteReply(payload.toString())) wrong ??= payload.toString().slice(0, 120);
      owed++;
      total++;
      if (counting) replies++;
    });
    conn.onBatch = () => {
      if (owed > 0 && !stopped) conn.write(batch.subarray(0, Math.min(owed, a.window) * frame.length));
      owed = 0;
    };
    conn.write(batch);
  }
  await sleep(a.warmupMs);
  counting = true;
  const t0 = nowMs();
  await sleep(a.durationMs);
  counting = false;
  const ms = nowMs() - t0;
  stopped = true;
  closeAll();
  if (wrong !== undefined) throw new Error(`inbound: unexpected reply ${wrong}`);
  return { replies, total, ms };
}

// Fan-out: subscribers record publish→receipt latency of event `idx` from its path `t/<idx>/<ms>`.
const PATH = Buffer.from('"path":"t/');
const received = new Map<number, { count: number; last: number }>();
const latencies: number[] = [];
let subscribers = 0;
const waiters = new Set<() => void>();

/** Events a subscriber got again or out of order (cluster scenario: exactly once, in order, is the claim). */
let duplicates = 0;

/** Per subscriber connection: the highest event index it received. */
interface SubscriberState {
  last: number;
}

function onEvent(payload: Buffer, sub: SubscriberState): void {
  const i = payload.indexOf(PATH);
  if (i < 0) return;
  const at = nowMs();
  const [idx, ts] = payload.toString('latin1', i + PATH.length, i + PATH.length + 40).split('"')[0]!.split('/');
  const n = Number(idx);
  if (n <= sub.last) {
    duplicates++;
    return;
  }
  sub.last = n;
  const r = received.get(n) ?? { count: 0, last: 0 };
  received.set(n, r);
  latencies.push(at - Number(ts));
  r.count++;
  r.last = Math.max(r.last, at);
  if (r.count === subscribers) for (const w of waiters) w();
}

async function subscribe(a: { count: number }) {
  const opened = await openMany(a.count);
  if (opened.failed > 0) throw new Error(`subscribe: ${opened.failed} connections failed: ${opened.error}`);
  const request = maskedFrame(dialect.subscribe(FANOUT_CHANNEL));
  await Promise.all(
    held.slice(-a.count).map(
      (conn) =>
        new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('subscribe: no answer')), 60_000);
          const state: SubscriberState = { last: -1 };
          listen(conn, (_op, payload) => {
            if (payload.length > 100) return onEvent(payload, state);
            if (dialect.isSubscribed(payload.toString())) {
              clearTimeout(t);
              resolve();
            }
          });
          conn.write(request);
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

let publisher: RawConn | undefined;
/** Publishes event `idx` and resolves once the server answered (ack). */
async function publish(a: { idx: number }) {
  publisher ??= await connect(nextIndex++);
  const pub = publisher;
  const sentAt = nowMs();
  await new Promise<void>((resolve) => {
    listen(pub, () => resolve());
    pub.send(dialect.publish(FANOUT_CHANNEL, `t/${a.idx}/${sentAt.toFixed(3)}`));
  });
  return { sentAt };
}

/** Publishes events from..from+count-1 in one write (a burst, e.g. a folder upload) and resolves once all are acknowledged. */
async function publishBurst(a: { from: number; count: number }) {
  publisher ??= await connect(nextIndex++);
  const pub = publisher;
  const sentAt = nowMs();
  const frames = Buffer.concat(Array.from({ length: a.count }, (_, k) => maskedFrame(dialect.publish(FANOUT_CHANNEL, `t/${a.from + k}/${sentAt.toFixed(3)}`))));
  let acks = 0;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`burst: ${acks}/${a.count} acks`)), 30_000);
    listen(pub, () => {
      if (++acks === a.count) {
        clearTimeout(t);
        resolve();
      }
    });
    pub.write(frames);
  });
  return { sentAt };
}

/**
 * Publishes events from..from+count-1 at a steady pace (one every `intervalMs`, each awaiting its
 * ack for at most 5 s), for the cluster scenario's loss phase.
 */
async function publishPaced(a: { from: number; count: number; intervalMs: number }) {
  publisher ??= await connect(nextIndex++);
  const pub = publisher;
  let sent = 0;
  let failed = 0;
  const t0 = nowMs();
  for (let k = 0; k < a.count; k++) {
    const idx = a.from + k;
    const sentAt = nowMs();
    const acked = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 5_000);
      listen(pub, (_op, payload) => {
        clearTimeout(t);
        // An error answer (e.g. rate_limited) is not a publish: it must not count as sent.
        resolve(!payload.toString().includes('"error"'));
      });
      pub.send(dialect.publish(FANOUT_CHANNEL, `t/${idx}/${sentAt.toFixed(3)}`));
    });
    if (acked) sent++;
    else failed++;
    const wait = t0 + (k + 1) * a.intervalMs - nowMs();
    if (wait > 0) await sleep(wait);
  }
  return { sent, failed, ms: nowMs() - t0 };
}

/** Waits (at most `timeoutMs`) until every local subscriber has events from..to-1; reports what is still missing. */
async function settle(a: { from: number; to: number; timeoutMs: number }) {
  const missing = () => {
    let m = 0;
    for (let idx = a.from; idx < a.to; idx++) m += Math.max(0, subscribers - (received.get(idx)?.count ?? 0));
    return m;
  };
  const deadline = Date.now() + a.timeoutMs;
  while (missing() > 0 && Date.now() < deadline) await sleep(50);
  return { missing: missing(), expected: subscribers * (a.to - a.from), duplicates };
}

/** Resumes from seq 0 and counts events until `events` arrived. */
async function replay(a: { events: number; timeoutMs: number }) {
  const conn = await connect(nextIndex++);
  const t0 = nowMs();
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`replay: ${count}/${a.events} events`)), a.timeoutMs);
    listen(conn, (_op, payload) => {
      // Events are the only frames longer than 100 bytes in this exchange.
      if (payload.length > 100 && ++count === a.events) {
        clearTimeout(t);
        resolve();
      }
    });
    conn.send(dialect.replay());
  });
  const ms = nowMs() - t0;
  conn.destroy();
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
    publishPaced,
    publishBurst,
    settle,
    latencies: () => latencies.splice(0),
    replay,
  },
  async () => {
    closeAll();
    publisher?.destroy();
  },
);
