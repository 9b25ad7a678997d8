/**
 * A minimal WebSocket client over a bare TCP socket for the load generators: pre-built masked
 * frames written in batches and server frames parsed by header only, so the generator's core is
 * not the bottleneck (a full `ws` client masks, parses and emits per message, costing about what
 * the server does). Only what the benchmark needs: no fragmentation, no extensions.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';

const MASK = randomBytes(4);

/** A masked client frame (text by default). */
export function maskedFrame(data: string | Buffer, opcode = 0x1): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + 4 + len);
  frame[0] = 0x80 | opcode;
  if (len < 126) frame[1] = 0x80 | len;
  else if (len < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
  }
  MASK.copy(frame, head);
  for (let i = 0; i < len; i++) frame[head + 4 + i] = payload[i]! ^ MASK[i & 3]!;
  return frame;
}

const CLOSE = maskedFrame(Buffer.from([0x03, 0xe8]), 0x8);
const PONG = maskedFrame(Buffer.alloc(0), 0xa);

/**
 * The opcode, payload length and header size (without a mask) of the frame at `off`, or null
 * while its header is incomplete. Shared by the generators (server frames) and the floor server.
 */
export function frameHead(buf: Buffer, off: number): { opcode: number; len: number; head: number } | null {
  if (buf.length - off < 2) return null;
  const opcode = buf[off]! & 0x0f;
  const len = buf[off + 1]! & 0x7f;
  if (len < 126) return { opcode, len, head: 2 };
  if (len === 126) return buf.length - off < 4 ? null : { opcode, len: buf.readUInt16BE(off + 2), head: 4 };
  return buf.length - off < 10 ? null : { opcode, len: Number(buf.readBigUInt64BE(off + 2)), head: 10 };
}

export type FrameHandler = (opcode: number, payload: Buffer) => void;

export class RawConn {
  private handler: FrameHandler = () => undefined;
  /** Called after each chunk's frames were handled (to answer a batch of replies with one write). */
  onBatch: () => void = () => undefined;
  private pending: Buffer = Buffer.alloc(0);

  constructor(readonly socket: net.Socket, leftover: Buffer) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.feed(chunk));
    socket.on('error', () => undefined);
    // Bytes that came with the 101 answer wait for the first handler (Socket.IO's open packet).
    this.pending = leftover;
  }

  /** Called for every data frame from the server (pings are answered here); handles frames already buffered. */
  set onFrame(handler: FrameHandler) {
    this.handler = handler;
    if (this.pending.length > 0) this.feed(Buffer.alloc(0));
  }

  send(text: string): void {
    this.socket.write(maskedFrame(text));
  }

  /** Writes already masked frames as they are. */
  write(frames: Buffer): void {
    this.socket.write(frames);
  }

  /** Sends a close frame and waits (at most `ms`) for the server to end the connection. */
  close(ms = 5_000): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      const t = setTimeout(() => this.socket.destroy(), ms);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.socket.write(CLOSE);
      this.socket.end();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private feed(chunk: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    for (;;) {
      const h = frameHead(buf, off);
      if (!h) break;
      const { opcode, len, head } = h;
      if (buf.length - off < head + len) break;
      const payload = buf.subarray(off + head, off + head + len);
      off += head + len;
      if (opcode === 0x9) this.socket.write(PONG);
      else if (opcode !== 0x8 && opcode !== 0xa) this.handler(opcode, payload);
    }
    this.onBatch();
    buf = buf.subarray(off);
    // Copy a partial frame out of the chunk so large socket buffers are not retained.
    this.pending = buf.length > 0 ? Buffer.from(buf) : Buffer.alloc(0);
  }
}

export interface UpgradeRequest {
  readonly port: number;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly localAddress: string;
}

/** Opens a TCP connection and performs the HTTP upgrade; rejects unless the answer is 101. */
export function upgrade(r: UpgradeRequest, timeoutMs = 30_000): Promise<RawConn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: r.port, localAddress: r.localAddress });
    const t = setTimeout(() => fail(new Error('upgrade timed out')), timeoutMs);
    let head = Buffer.alloc(0);
    function fail(e: Error) {
      clearTimeout(t);
      socket.destroy();
      reject(e);
    }
    socket.once('error', fail);
    socket.on('connect', () => {
      const headers = { Host: `127.0.0.1:${r.port}`, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...r.headers };
      socket.write(`GET ${r.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    });
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      clearTimeout(t);
      const status = head.subarray(0, head.indexOf('\r\n')).toString();
      if (!status.startsWith('HTTP/1.1 101')) return fail(new Error(status));
      socket.off('error', fail);
      resolve(new RawConn(socket, head.subarray(end + 4)));
    };
    socket.on('data', onData);
  });
}
