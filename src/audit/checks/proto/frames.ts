/**
 * Raw-frame probing shared by the PROTO checks (candidate for the engine): open a baseline
 * session over the raw client, send hand-built frames, and tell how the server took them.
 * "Still alive" is proved by a ping with a nonce answered by its pong, so a lax server is
 * detected at once and only a silent one costs the whole (short) wait.
 */
import { randomBytes } from 'node:crypto';
import { encodeFrame, Opcode, type FrameSpec } from '../../raw/frame-encoder.js';
import type { Frame } from '../../raw/frame-decoder.js';
import type { RawConnection } from '../../raw/raw-connection.js';
import { concreteRequest } from '../../request-variant.js';
import { statusLine } from '../../check-helpers.js';
import type { CheckContext } from '../../types.js';

/** How long a probe waits for the server's verdict. */
export function probeWaitMs(ctx: CheckContext): number {
  return Math.min(1500, ctx.options.requestTimeoutMs);
}

export type Outcome =
  | { kind: 'closed'; code?: number; reason: string }
  | { kind: 'dropped' }
  | { kind: 'alive'; replies: number; pongMatches: boolean }
  | { kind: 'silent' };

/** The server failed the connection (close frame or TCP drop). */
export function rejected(o: Outcome): boolean {
  return o.kind === 'closed' || o.kind === 'dropped';
}

export function describe(o: Outcome, waitMs: number): string {
  switch (o.kind) {
    case 'closed': return `close ${o.code ?? '(no code)'}${o.reason ? ` "${o.reason.slice(0, 60)}"` : ''}`;
    case 'dropped': return 'connection dropped';
    case 'alive': return `kept open${o.replies ? `, ${o.replies} data frame(s) received` : ''}, ping answered`;
    case 'silent': return `kept open, no close within ${waitMs} ms`;
  }
}

/** Sends a frame: a spec is encoded and recorded as outgoing traffic, raw bytes go as they are. */
export function send(ctx: CheckContext, conn: RawConnection, f: FrameSpec | Buffer): void {
  if (Buffer.isBuffer(f)) {
    conn.write(f);
    // Hand-made bytes are recorded too: the liveness watch names the last frame sent before a crash.
    const raw = rawFrame(f);
    if (raw) ctx.recordFrame(raw, 'out');
    return;
  }
  conn.write(encodeFrame(f));
  const payload = typeof f.payload === 'string' ? Buffer.from(f.payload) : f.payload ?? Buffer.alloc(0);
  ctx.recordFrame({ fin: f.fin ?? true, rsv1: Boolean(f.rsv1), rsv2: Boolean(f.rsv2), rsv3: Boolean(f.rsv3), opcode: f.opcode, masked: f.mask !== false, payload }, 'out');
}

/** A fresh baseline session over the raw client (first-message auth sent). Skips when refused. */
export async function openSession(ctx: CheckContext): Promise<RawConnection> {
  const r = await ctx.handshake({ raw: { keepOpen: true } });
  if (!r.upgraded || !r.connection) return ctx.skip(`baseline handshake for a raw session got ${statusLine(r)}`);
  const conn = r.connection;
  const first = concreteRequest(ctx.target, ctx.options).firstMessage;
  if (first) {
    send(ctx, conn, { opcode: Opcode.TEXT, payload: first });
    await conn.nextFrame(Math.min(1000, ctx.options.requestTimeoutMs));
  }
  return conn;
}

/**
 * Waits for the server's verdict on what was just sent: its close, a TCP drop, or the pong to
 * a nonce ping (the connection is still served). Server pings are answered on the way.
 */
export async function verdict(ctx: CheckContext, conn: RawConnection, opts: { ping?: boolean } = {}): Promise<Outcome> {
  const nonce = Buffer.from(`wsguard-${randomBytes(4).toString('hex')}`);
  if (opts.ping !== false) send(ctx, conn, { opcode: Opcode.PING, payload: nonce });
  const deadline = Date.now() + probeWaitMs(ctx);
  let replies = 0;
  for (;;) {
    const f: Frame | null = await conn.nextFrame(Math.max(0, deadline - Date.now()));
    if (!f) return conn.closed ? { kind: 'dropped' } : { kind: 'silent' };
    if (f.opcode === Opcode.CLOSE) return { kind: 'closed', code: f.closeCode, reason: (f.closeReason ?? Buffer.alloc(0)).toString('utf8') };
    if (f.opcode === Opcode.PING) send(ctx, conn, { opcode: Opcode.PONG, payload: f.payload });
    else if (f.opcode === Opcode.PONG) return { kind: 'alive', replies, pongMatches: f.payload.equals(nonce) };
    else replies++;
  }
}

/** The frame hand-made bytes start with (header fields and unmasked payload), or null when too short to tell. */
function rawFrame(b: Buffer): Frame | null {
  if (b.length < 2) return null;
  const b0 = b[0] ?? 0;
  const b1 = b[1] ?? 0;
  const len7 = b1 & 0x7f;
  const masked = (b1 & 0x80) !== 0;
  const start = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
  if (b.length < start) return null;
  const key = b.subarray(start - 4, start);
  const payload = Buffer.from(b.subarray(start));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (key[i % 4] ?? 0);
  return { fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, rsv2: (b0 & 0x20) !== 0, rsv3: (b0 & 0x10) !== 0, opcode: b0 & 0x0f, masked, payload };
}

/** One probe on its own session: send `frames`, read the verdict, close. */
export async function probe(ctx: CheckContext, frames: Array<FrameSpec | Buffer>, opts: { ping?: boolean } = {}): Promise<Outcome> {
  const conn = await openSession(ctx);
  try {
    for (const f of frames) send(ctx, conn, f);
    return await verdict(ctx, conn, opts);
  } finally {
    conn.destroy();
  }
}

/**
 * Skips unless a plain baseline session (no violation, one valid ping) stays open: a server
 * that ends every session right after the 101 answers every probe the same way, so its
 * closes say nothing about how it treats bad frames. Memoised: one plain session per audit.
 */
export async function requireServedSession(ctx: CheckContext): Promise<void> {
  const plain = await ctx.memo('proto:plain-session', () => probe(ctx, []));
  if (rejected(plain)) ctx.skip(`not applicable: the server ends every session right after the 101 (a plain session with one valid ping: ${describe(plain, probeWaitMs(ctx))}), so its answer to malformed frames cannot be told from that`);
}
