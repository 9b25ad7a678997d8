/**
 * One TCP/TLS connection driven by hand: write any bytes (at once or byte by byte), read the
 * HTTP answer with a bound, then exchange hand-built frames. Every wait has a timeout and
 * honours an AbortSignal; every byte read is bounded.
 */
import net from 'node:net';
import tls from 'node:tls';
import { FrameDecoder, type Frame } from './frame-decoder.js';
import { encodeFrame, type FrameSpec } from './frame-encoder.js';
import { parseResponseHead, type HttpResponseHead } from './handshake.js';
import type { ConnectionMeter } from '../bounds.js';
import { OutgoingFrames, type SentFrame } from '../inputs.js';

/** What one frame object costs beyond its payload (object, Buffer view, queue slot: about 250 bytes of heap), so a flood of empty frames is bounded too. */
const FRAME_OVERHEAD = 256;

export interface RawConnectOptions {
  host: string;
  port: number;
  tls?: boolean;
  /** SNI and certificate name; defaults to host when it is not an IP. */
  servername?: string;
  /** Auditing must reach misconfigured targets: certificate checks are WSG-TLS-03's job. */
  rejectUnauthorized?: boolean;
  tlsOptions?: tls.ConnectionOptions;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Byte limits (bounds.ts): the connection is dropped when the target sends more. */
  meter?: ConnectionMeter;
}

export interface HttpResponse extends HttpResponseHead {
  /** Body of a non-101 answer, at most `maxBodyBytes`. */
  body: Buffer;
}

export interface ReadResponseOptions {
  timeoutMs?: number;
  maxHeadBytes?: number;
  maxBodyBytes?: number;
  /** After the head of a non-101 answer, how long to wait for more body bytes. */
  bodyIdleMs?: number;
}

export class TimeoutError extends Error {}

export class RawConnection {
  private readonly chunks: Buffer[] = [];
  private waiters: Array<() => void> = [];
  private decoder: FrameDecoder | null = null;
  private readonly frames: Frame[] = [];
  private ended = false;
  private frameListener: ((frame: Frame) => void) | null = null;
  /** Frames decoded while nobody listened (those that came with the 101). */
  private unheard: Frame[] = [];
  error: Error | null = null;
  /** Frames received so far (the liveness watch asks whether an input got any answer). */
  framesReceived = 0;
  /** Each frame header written after the 101, as it starts to go out (the auditor's own close excluded). */
  onSent: ((frame: SentFrame) => void) | null = null;
  private outgoing: OutgoingFrames | null = null;
  private closing = false;

  private constructor(readonly socket: net.Socket, private readonly signal?: AbortSignal, private readonly meter?: ConnectionMeter) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => { this.error = e; this.wake(); });
    const onAbort = () => this.destroy();
    socket.on('close', () => { this.ended = true; signal?.removeEventListener('abort', onAbort); this.wake(); });
    // An abort listener added to a signal that has already fired never runs: drop the socket now.
    if (signal?.aborted) socket.destroy();
    else signal?.addEventListener('abort', onAbort, { once: true });
  }

  static open(opts: RawConnectOptions): Promise<RawConnection> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new Error('aborted'));
      const servername = opts.servername ?? (net.isIP(opts.host) ? undefined : opts.host);
      const socket = opts.tls
        ? tls.connect({ host: opts.host, port: opts.port, servername, rejectUnauthorized: opts.rejectUnauthorized ?? false, ALPNProtocols: ['http/1.1'], ...opts.tlsOptions })
        : net.connect({ host: opts.host, port: opts.port });
      const timer = setTimeout(() => fail(new TimeoutError(`connect to ${opts.host}:${opts.port} timed out after ${timeoutMs} ms`)), timeoutMs);
      // Stopped while connecting (the check's deadline, the audit's end): no socket is left behind.
      const onAbort = () => fail(new Error('aborted'));
      const fail = (e: Error) => { clearTimeout(timer); opts.signal?.removeEventListener('abort', onAbort); socket.destroy(); reject(e); };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', fail);
      socket.once(opts.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        socket.off('error', fail);
        socket.setNoDelay(true);
        resolve(new RawConnection(socket, opts.signal, opts.meter));
      });
    });
  }

  /**
   * Every frame received, for the traffic recorder. Frames that arrived with the 101 (decoded
   * before anyone could listen) are given to the first listener, so none goes unrecorded.
   */
  get onFrame(): ((frame: Frame) => void) | null {
    return this.frameListener;
  }

  set onFrame(fn: ((frame: Frame) => void) | null) {
    this.frameListener = fn;
    if (!fn) return;
    const missed = this.unheard;
    this.unheard = [];
    for (const f of missed) fn(f);
  }

  get closed(): boolean {
    return this.ended;
  }

  private onData(d: Buffer): void {
    if (this.overLimit(d.length)) return;
    if (this.decoder) {
      this.feedFrames(d);
    } else {
      this.chunks.push(d);
    }
    this.wake();
  }

  private feedFrames(d: Buffer): void {
    try {
      for (const f of this.decoder?.push(d) ?? []) {
        if (this.overLimit(FRAME_OVERHEAD)) return;
        this.frames.push(f);
        this.framesReceived++;
        if (this.frameListener) this.frameListener(f);
        else if (this.unheard.length < 1024) this.unheard.push(f);
      }
    } catch (e) {
      this.error = e as Error;
      this.socket.destroy();
    }
  }

  /** Charges `n` bytes to the meter; drops the connection when a limit is crossed. */
  private overLimit(n: number): boolean {
    const err = this.meter?.take(n);
    if (!err) return false;
    this.error ??= err;
    this.socket.destroy();
    this.wake();
    return true;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when new data/close arrives or after `ms`; false on timeout. */
  private waitForChange(ms: number): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiters = this.waiters.filter((w) => w !== done); resolve(false); }, Math.max(0, ms));
      const done = () => { clearTimeout(timer); resolve(true); };
      this.waiters.push(done);
    });
  }

  write(data: Buffer | string): void {
    if (this.ended || this.socket.destroyed) return;
    // Noted before the write: an input that kills the target must still be on record.
    if (this.decoder && this.onSent && !this.closing) (this.outgoing ??= new OutgoingFrames((f) => this.onSent?.(f))).push(typeof data === 'string' ? Buffer.from(data) : data);
    this.socket.write(data);
  }

  /** Sends `data` in pieces of `chunkSize` bytes, `delayMs` apart (slow or byte-by-byte sends). */
  async writeSlowly(data: Buffer, chunkSize = 1, delayMs = 10): Promise<void> {
    for (let off = 0; off < data.length && !this.ended && !this.signal?.aborted; off += chunkSize) {
      this.write(data.subarray(off, off + chunkSize));
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }

  sendFrame(spec: FrameSpec): void {
    this.write(encodeFrame(spec));
  }

  /** Reads the HTTP answer. On 101, bytes after the head become frames. */
  async readResponse(opts: ReadResponseOptions = {}): Promise<HttpResponse> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5000);
    const maxHead = opts.maxHeadBytes ?? 64 * 1024;
    for (;;) {
      const all = Buffer.concat(this.chunks);
      const parsed = parseResponseHead(all);
      if (parsed) {
        this.chunks.length = 0;
        const rest = all.subarray(parsed.bodyStart);
        if (parsed.head.status === 101) {
          this.decoder = new FrameDecoder();
          if (rest.length) this.feedFrames(rest);
          return { ...parsed.head, body: Buffer.alloc(0) };
        }
        const body = await this.readBody(parsed.head, rest, opts, deadline);
        return { ...parsed.head, body };
      }
      if (all.length > maxHead) throw new Error(`response head exceeds ${maxHead} bytes`);
      if (this.ended) throw this.error ?? new Error(all.length ? 'connection closed inside the response head' : 'connection closed without a response');
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.waitForChange(left))) {
        if (this.ended) continue;
        throw new TimeoutError(`no complete HTTP response within ${opts.timeoutMs ?? 5000} ms`);
      }
    }
  }

  private async readBody(head: HttpResponseHead, first: Buffer, opts: ReadResponseOptions, deadline: number): Promise<Buffer> {
    const max = opts.maxBodyBytes ?? 64 * 1024;
    const lengthHeader = head.headers['content-length']?.[0];
    const declared = lengthHeader !== undefined ? Number(lengthHeader) : NaN;
    const chunked = /chunked/i.test(head.headers['transfer-encoding']?.[0] ?? '');
    const idle = opts.bodyIdleMs ?? 300;
    let raw = first;
    // Complete when the declared length or the last chunk has arrived; else bounded by size, idle time and deadline.
    const complete = (): { body: Buffer; used: number } | null => {
      if (chunked) return decodeChunked(raw);
      if (declared >= 0 && raw.length >= declared) return { body: raw.subarray(0, declared), used: declared };
      return null;
    };
    let done = complete();
    while (!done && raw.length < max && !this.ended && Date.now() < deadline) {
      if (!(await this.waitForChange(Math.min(idle, deadline - Date.now())))) break;
      raw = Buffer.concat([raw, ...this.chunks]);
      this.chunks.length = 0;
      done = complete();
    }
    if (!done) {
      raw = Buffer.concat([raw, ...this.chunks]);
      this.chunks.length = 0;
      done = complete();
    }
    if (!done) return raw.subarray(0, max);
    // Bytes past the body belong to the next (pipelined) response.
    if (raw.length > done.used) this.chunks.push(raw.subarray(done.used));
    return done.body.subarray(0, max);
  }

  /** Next unread server frame, or null after `timeoutMs` or on close. */
  async nextFrame(timeoutMs = 3000): Promise<Frame | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.shift();
      if (f) return f;
      const left = deadline - Date.now();
      if (this.ended || left <= 0) return null;
      await this.waitForChange(left);
    }
  }

  /**
   * Reads frames until the server sends close or the connection ends. Returns the close frame
   * (if any) and whether the socket ended, plus frames seen on the way. Answers pings unless told not to.
   */
  async waitClose(timeoutMs = 3000, opts: { answerPings?: boolean } = {}): Promise<{ closeFrame: Frame | null; ended: boolean; frames: Frame[] }> {
    const seen: Frame[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = await this.nextFrame(deadline - Date.now());
      if (f) {
        seen.push(f);
        if (f.opcode === 0x8) return { closeFrame: f, ended: this.ended, frames: seen };
        if (f.opcode === 0x9 && opts.answerPings !== false) this.sendFrame({ opcode: 0xa, payload: f.payload });
        continue;
      }
      return { closeFrame: null, ended: this.ended, frames: seen };
    }
  }

  /** Best-effort clean close; never throws. */
  close(code = 1000): void {
    if (this.ended) return;
    try {
      const p = Buffer.alloc(2);
      p.writeUInt16BE(code, 0);
      // Cleanup, not an input: the liveness watch never names it.
      this.closing = true;
      if (this.decoder) this.sendFrame({ opcode: 0x8, payload: p });
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 200).unref();
    } catch {
      this.socket.destroy();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Decodes a complete chunked body (RFC 9112 §7.1), or null while it is incomplete. */
export function decodeChunked(buf: Buffer): { body: Buffer; used: number } | null {
  const parts: Buffer[] = [];
  let off = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', off);
    if (eol < 0) return null;
    const size = parseInt(buf.subarray(off, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) return { body: Buffer.concat(parts), used: buf.length };
    off = eol + 2;
    if (size === 0) {
      const end = buf.indexOf('\r\n\r\n', off - 2);
      return end < 0 ? null : { body: Buffer.concat(parts), used: end + 4 };
    }
    if (buf.length < off + size + 2) return null;
    parts.push(buf.subarray(off, off + size));
    off += size + 2;
  }
}
