/**
 * Frame-level fuzzer (issue 7): seeded cases from frame-cases.ts sent over raw connections
 * (src/audit/raw) to a running hub. Holds when every case ends as frame-oracle.ts says, a fresh
 * handshake works after every batch, and the hub's heap does not grow across the run.
 */
import { rawHandshake, endpointOf, type Endpoint, type Frame, type HandshakeRequestSpec, type RawConnection } from '../../../src/audit/raw/index.js';
import { expectFor } from './frame-oracle.js';
import { frameCase, handshakeCase, type FuzzCase, type Limits } from './frame-cases.js';
import { Prng } from './prng.js';
import type { MemorySample } from './hub-process.js';

export interface FuzzOptions {
  readonly wsUrl: string;
  /** A valid bearer token for the hub. */
  readonly token: string;
  readonly count: number;
  readonly seed: number;
  readonly limits: Limits;
  readonly concurrency?: number;
  readonly batchSize?: number;
  /** Hub memory after a forced GC (hub in a child process). */
  readonly memory?: () => Promise<MemorySample>;
  readonly log?: (line: string) => void;
}

export interface FuzzFailure {
  readonly index: number;
  readonly label: string;
  readonly problem: string;
  /** First bytes of the stream (hex) or the handshake label. */
  readonly input: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly cases: number;
  readonly failures: FuzzFailure[];
  /** Cases per label and outcome (close code, HTTP status, 'open', 'waiting'). */
  readonly outcomes: Record<string, number>;
  readonly livenessChecks: number;
  readonly heapBefore?: number;
  readonly heapAfter?: number;
}

const LIVE_ID = 'fz-live';

function baseSpec(ep: Endpoint, token: string | undefined): HandshakeRequestSpec {
  const headers: [string, string][] = [['Sec-WebSocket-Protocol', 'wsguard.v1']];
  if (token) headers.push(['Authorization', `Bearer ${token}`]);
  return { path: ep.path, host: ep.hostHeader, headers }; // no Origin: a non-browser client
}

async function open(ep: Endpoint, token: string): Promise<RawConnection> {
  const hs = await rawHandshake(ep, { request: baseSpec(ep, token), keepOpen: true, timeoutMs: 5_000 });
  if (!hs.connection) throw new Error(`handshake refused: HTTP ${hs.response.status}`);
  return hs.connection;
}

/** Sends an application ping and waits for its pong (other frames are skipped). */
async function answersPing(conn: RawConnection, timeoutMs = 5_000): Promise<boolean> {
  conn.sendFrame({ opcode: 0x1, payload: JSON.stringify({ type: 'ping', id: LIVE_ID, payload: {} }) });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f: Frame | null = await conn.nextFrame(deadline - Date.now());
    if (!f || f.opcode === 0x8) return false;
    if (f.opcode === 0x1 && f.payload.toString().includes(`"id":"${LIVE_ID}"`) && f.payload.toString().includes('"pong"')) return true;
  }
}

/** A fresh, legitimate connection still works. */
export async function liveness(ep: Endpoint, token: string): Promise<boolean> {
  const conn = await open(ep, token).catch(() => undefined);
  if (!conn) return false;
  try {
    return await answersPing(conn);
  } finally {
    conn.destroy();
  }
}

async function runFrameCase(ep: Endpoint, token: string, stream: Buffer, limits: Limits): Promise<{ outcome: string; problem?: string }> {
  const expected = expectFor(stream, limits);
  const conn = await open(ep, token);
  try {
    conn.write(stream);
    const { closeFrame } = await conn.waitClose(expected.mustClose ? 5_000 : 300);
    if (closeFrame) {
      const code = closeFrame.closeCode ?? null;
      const outcome = `close ${code ?? 'none'}`;
      if (!expected.closeCodes.has(code)) return { outcome, problem: `closed ${code ?? 'without code'}, expected ${expected.mustClose ? [...expected.closeCodes].join('|') : 'no close'} (${expected.why})` };
      return { outcome };
    }
    if (expected.mustClose) return { outcome: conn.closed ? 'dropped' : 'open', problem: `no close frame, expected ${[...expected.closeCodes].join('|')} (${expected.why})` };
    if (expected.truncated) return { outcome: 'waiting' };
    if (!(await answersPing(conn))) return { outcome: 'unresponsive', problem: `connection stopped answering after well-formed frames (${expected.why})` };
    return { outcome: 'open' };
  } finally {
    conn.destroy();
  }
}

export async function runHandshakeCase(ep: Endpoint, token: string, c: Extract<FuzzCase, { kind: 'handshake' }>): Promise<{ outcome: string; problem?: string }> {
  const spec = c.mutate(baseSpec(ep, c.withToken ? token : undefined));
  const hs = await rawHandshake(ep, { request: spec, keepOpen: false, timeoutMs: 5_000 }).catch((err: Error) => err);
  if (hs instanceof Error) return { outcome: 'no-answer', problem: `no HTTP answer: ${hs.message}` };
  const status = hs.response.status;
  const outcome = `HTTP ${status}`;
  if (c.valid) {
    if (status !== 101) return { outcome, problem: `valid handshake refused with ${status}` };
    if (hs.response.headers['sec-websocket-extensions']) return { outcome, problem: 'an extension was negotiated (deflate must stay off)' };
    return { outcome };
  }
  if (status < 400 || status >= 500) return { outcome, problem: `invalid handshake answered ${status} (expected 4xx)` };
  return { outcome };
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Waits (bounded) until the hub has no connection left, so the heap sample holds no socket in its close grace. */
async function settledMemory(memory: () => Promise<MemorySample>): Promise<MemorySample> {
  let sample = await memory();
  for (let i = 0; i < 40 && sample.connections > 0; i++) {
    await new Promise((r) => setTimeout(r, 250));
    sample = await memory();
  }
  return sample;
}

export async function runFrameFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const ep = endpointOf(new URL(o.wsUrl));
  const rng = new Prng(o.seed);
  const batchSize = o.batchSize ?? 50;
  const failures: FuzzFailure[] = [];
  const outcomes: Record<string, number> = {};
  let liveChecks = 0;
  let heapBefore: number | undefined;
  for (let start = 0; start < o.count; start += batchSize) {
    // Cases are drawn before the batch runs, so concurrency never changes what a seed produces.
    const batch = Array.from({ length: Math.min(batchSize, o.count - start) }, (_, i) => ({
      index: start + i,
      c: rng.bool(0.2) ? handshakeCase(rng) : frameCase(rng, o.limits),
    }));
    await pool(batch, o.concurrency ?? 8, async ({ index, c }) => {
      const result = await (c.kind === 'frames' ? runFrameCase(ep, o.token, c.stream, o.limits) : runHandshakeCase(ep, o.token, c)).catch((err: Error) => ({
        outcome: 'error',
        problem: `case threw: ${err.message}`,
      }));
      const key = `${c.kind === 'frames' ? c.label : `handshake:${c.label}`} → ${result.outcome}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (result.problem) failures.push({ index, label: c.label, problem: result.problem, input: c.kind === 'frames' ? c.stream.subarray(0, 48).toString('hex') : c.label });
    });
    liveChecks++;
    if (!(await liveness(ep, o.token))) {
      failures.push({ index: start, label: 'liveness', problem: `a fresh handshake failed after the batch starting at case ${start}`, input: '' });
      break;
    }
    if (start === 0 && o.memory) heapBefore = (await settledMemory(o.memory)).heapUsed; // after warm-up: JIT, pools, buckets
    o.log?.(`fuzz: ${Math.min(start + batchSize, o.count)}/${o.count} cases, ${failures.length} failures`);
  }
  const heapAfter = o.memory ? (await settledMemory(o.memory)).heapUsed : undefined;
  return { seed: o.seed, cases: o.count, failures, outcomes, livenessChecks: liveChecks, heapBefore, heapAfter };
}
