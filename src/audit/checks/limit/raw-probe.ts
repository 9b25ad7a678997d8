/**
 * Raw-connection helpers for the LIMIT checks: an authenticated raw socket, big messages
 * streamed without building them in memory, and "was that accepted?" via a ping after it
 * (frames are processed in order, so a pong means the parser swallowed the message).
 */
import { randomBytes } from 'node:crypto';
import { concreteRequest, socketIoAuth } from '../../request-variant.js';
import { connectPacket } from '../../socketio.js';
import { encodeFrame, Opcode } from '../../raw/frame-encoder.js';
import { FrameTooLargeError, type Frame } from '../../raw/frame-decoder.js';
import type { RawConnection } from '../../raw/raw-connection.js';
import type { HeaderList } from '../../raw/handshake.js';
import type { CheckContext } from '../../types.js';

/** A raw connection plus the first close frame the server sent (seen without consuming frames). */
export interface RawSocket {
  conn: RawConnection;
  /** Response headers of the 101 (lower-case names). */
  headers: Record<string, string[]>;
  closeFrame(): Frame | null;
}

/** XOR with a zero key leaves bytes as they are: large bodies can be written without masking work. */
const ZERO_MASK = Buffer.alloc(4);
const FILL = Buffer.alloc(1024 * 1024, 'a');

/** Baseline handshake kept open, with first-message auth done; skips the check when it fails. */
export async function openRaw(ctx: CheckContext, opts: { headers?: HeaderList } = {}): Promise<RawSocket> {
  const r = await ctx.handshake({ raw: { keepOpen: true, ...(opts.headers ? { request: { headers: opts.headers } } : {}) } });
  const conn = r.connection;
  if (!r.upgraded || !conn) ctx.skip(`not applicable: baseline handshake got HTTP ${r.response.status}, not 101`);
  let closeFrame: Frame | null = null;
  const prev = conn.onFrame;
  conn.onFrame = (f) => { prev?.(f); if (f.opcode === Opcode.CLOSE && !closeFrame) closeFrame = f; };
  if (ctx.options.protocol === 'socket.io') await socketIoConnect(ctx, conn);
  const first = concreteRequest(ctx.target, ctx.options, {}).firstMessage;
  if (first) {
    conn.sendFrame({ opcode: Opcode.TEXT, payload: first });
    await conn.nextFrame(Math.min(1000, ctx.options.requestTimeoutMs));
  }
  return { conn, headers: r.response.headers, closeFrame: () => closeFrame };
}

/**
 * Engine.IO open, then the Socket.IO CONNECT: Socket.IO closes a client whose event names a
 * namespace it has not joined, so an event on a raw socket without it is refused at any size.
 */
async function socketIoConnect(ctx: CheckContext, conn: RawConnection): Promise<void> {
  const deadline = Date.now() + ctx.options.requestTimeoutMs;
  const text = async () => {
    for (;;) {
      const f = await conn.nextFrame(deadline - Date.now());
      if (!f || f.opcode === Opcode.CLOSE) return null;
      if (f.opcode === Opcode.TEXT) return f.payload.toString('utf8');
    }
  };
  let m = await text();
  if (m === null || !m.startsWith('0')) return;
  conn.sendFrame({ opcode: Opcode.TEXT, payload: connectPacket(ctx.options.namespace, socketIoAuth(ctx.options.credentials)) });
  while (m !== null && !/^4[04]/.test(m)) m = await text();
}

export type Verdict = { kind: 'accepted' } | { kind: 'closed'; code?: number; reason: string } | { kind: 'silent' };

/** Sends a ping and reads until its pong (accepted), a close or the end (closed), or the timeout (silent). */
export async function pingVerdict(s: RawSocket, timeoutMs: number): Promise<Verdict> {
  const early = tooBigAnswer(s) ? { kind: 'accepted' as const } : closedVerdict(s);
  if (early) return early;
  // "wsguard-" marks it as the auditor's own liveness ping: the watch never names it as the input.
  const token = Buffer.concat([Buffer.from('wsguard-'), randomBytes(8)]);
  s.conn.sendFrame({ opcode: Opcode.PING, payload: token });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = await s.conn.nextFrame(deadline - Date.now());
    if (f?.opcode === Opcode.PONG && f.payload.equals(token)) return { kind: 'accepted' };
    if (f?.opcode === Opcode.PING) s.conn.sendFrame({ opcode: Opcode.PONG, payload: f.payload });
    if (!f && tooBigAnswer(s)) return { kind: 'accepted' };
    if (!f || f.opcode === Opcode.CLOSE) return closedVerdict(s) ?? { kind: 'silent' };
  }
}

/** An answer too big for the raw reader (16 MiB) means the message was taken (e.g. echoed back). */
const tooBigAnswer = (s: RawSocket) => s.conn.error instanceof FrameTooLargeError;

export function closedVerdict(s: RawSocket): Verdict | null {
  const c = s.closeFrame();
  if (c) return { kind: 'closed', code: c.closeCode, reason: (c.closeReason ?? Buffer.alloc(0)).toString('utf8').slice(0, 80) };
  if (s.conn.closed) return { kind: 'closed', reason: 'connection ended without a close frame' };
  return null;
}

export function describe(v: Verdict): string {
  if (v.kind === 'accepted') return 'accepted (a ping sent after it was answered)';
  if (v.kind === 'silent') return 'no answer';
  // Never an empty text: a close frame without a status code has no code and no reason.
  return v.code ? `closed ${v.code}${v.reason ? ` "${v.reason}"` : ''}` : v.reason || 'closed with a close frame that carries no status code';
}

/** Waits until the socket's write buffer drains (or it closes), then takes both listeners off again. */
export function drained(conn: RawConnection): Promise<void> {
  if (!conn.socket.writableNeedDrain || conn.closed || conn.socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { conn.socket.off('drain', done); conn.socket.off('close', done); resolve(); };
    conn.socket.on('drain', done);
    conn.socket.on('close', done);
  });
}

/** Bytes a message starts and ends with around its 'a' filler. */
export interface Envelope { head: Buffer; tail: Buffer }

/**
 * The envelope that makes a big message one the application layer takes: on Socket.IO a text
 * message of bare 'a's is an Engine.IO parse error, and the transport closes on it whatever its
 * size (a 16-byte one too), so the size could never be judged. There it is an EVENT,
 * `42["wsguard","aaa…"]`, which only a size cap (maxHttpBufferSize) refuses.
 */
export function messageEnvelope(ctx: CheckContext): Envelope | undefined {
  return ctx.options.protocol === 'socket.io' ? { head: Buffer.from('42["wsguard","'), tail: Buffer.from('"]') } : undefined;
}

/** Bytes [from, from + n) of a message of `size` bytes: `env` head, 'a's, `env` tail. */
function messageBytes(from: number, n: number, size: number, env?: Envelope): Buffer {
  if (!env || (from >= env.head.length && from + n <= size - env.tail.length)) return n === FILL.length ? FILL : FILL.subarray(0, n);
  const out = Buffer.from(FILL.subarray(0, n));
  for (let i = 0; i < n; i++) {
    const p = from + i;
    if (p < env.head.length) out[i] = env.head[p] ?? 0x61;
    else if (p >= size - env.tail.length) out[i] = env.tail[p - (size - env.tail.length)] ?? 0x61;
  }
  return out;
}

/**
 * Writes a text message of `size` bytes of 'a' (inside `env` when given), as one frame or as
 * `fragment`-byte fragments, 1 MiB at a time, stopping early once the server has closed.
 * Returns the bytes written.
 */
export async function writeMessage(s: RawSocket, size: number, fragment?: number, signal?: AbortSignal, env?: Envelope): Promise<number> {
  const step = fragment ?? size;
  let sent = 0;
  for (let off = 0; off < size; off += step) {
    const len = Math.min(step, size - off);
    const fin = off + len >= size;
    s.conn.write(encodeFrame({ opcode: off === 0 ? Opcode.TEXT : Opcode.CONTINUATION, fin, mask: ZERO_MASK, declaredLength: BigInt(len) }));
    for (let done = 0; done < len; done += FILL.length) {
      if (closedVerdict(s) || signal?.aborted) return sent;
      const n = Math.min(FILL.length, len - done);
      s.conn.write(messageBytes(off + done, n, size, env));
      sent += n;
      await drained(s.conn);
    }
  }
  return sent;
}

/** Bytes for evidence: 64 KiB, 1 MiB + 1. */
export function formatBytes(n: number): string {
  const mib = 1024 * 1024;
  if (n >= mib) return `${Math.floor(n / mib)} MiB${n % mib ? ` + ${n % mib}` : ''}`;
  if (n >= 1024) return `${Math.floor(n / 1024)} KiB${n % 1024 ? ` + ${n % 1024}` : ''}`;
  return `${n} B`;
}
