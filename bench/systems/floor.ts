/**
 * `floor` (fanout only): the least any WebSocket server must do to fan one event out. A bare
 * `node:net` server with a minimal RFC 6455 upgrade (no validation beyond the key), client frames
 * unmasked by hand, and per event one frame built once and written as one Buffer to each
 * subscriber: no WebSocket library, no checks, no bookkeeping. What wsguard and `ws` do beyond it
 * is their own cost; what it costs itself is the machine's (syscall and loopback TCP).
 */
import { createHash } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { frameHead } from '../lib/raw.js';
import type { ServerSpec } from '../lib/types.js';
import type { StartedServer } from './types.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC11B85';

/** An unmasked server text frame. */
function textFrame(payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + len);
  frame[0] = 0x81;
  if (len < 126) frame[1] = len;
  else if (len < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
  }
  payload.copy(frame, head);
  return frame;
}

const OK = textFrame(Buffer.from('ok'));
const ACK = textFrame(Buffer.from('ack'));

export async function startFloor(spec: ServerSpec): Promise<StartedServer> {
  if (spec.scenario !== 'fanout') throw new Error('floor: fanout scenario only');
  const subscribers = new Set<net.Socket>();
  const sockets = new Set<net.Socket>();
  let seq = 0;

  function publish(from: net.Socket, text: string): void {
    const p = JSON.parse(text) as { channel: string; path: string; size: number; mime: string; sha256: string };
    // The same event as the `ws` loop's, serialized and framed once.
    const event = { channel: p.channel, seq: ++seq, kind: 'file_upload', path: p.path, size: p.size, mime: p.mime, sha256: p.sha256, by: 'bench', at: new Date().toISOString() };
    const frame = textFrame(Buffer.from(JSON.stringify({ type: 'event', payload: event })));
    for (const s of subscribers) s.write(frame);
    from.write(ACK);
  }

  function onMessage(socket: net.Socket, text: string): void {
    if (text === 'sub') {
      subscribers.add(socket);
      socket.write(OK);
    } else publish(socket, text);
  }

  /** Client frames: masked, unfragmented (the load generators' only kind); close ends the socket. */
  function frames(socket: net.Socket) {
    let buf: Buffer = Buffer.alloc(0);
    return (chunk: Buffer) => {
      buf = buf.length > 0 ? Buffer.concat([buf, chunk]) : chunk;
      let off = 0;
      for (;;) {
        const h = frameHead(buf, off);
        if (!h) break;
        const { opcode, len, head } = h;
        if (buf.length - off < head + 4 + len) break;
        const mask = buf.subarray(off + head, off + head + 4);
        const payload = Buffer.allocUnsafe(len);
        for (let i = 0; i < len; i++) payload[i] = buf[off + head + 4 + i]! ^ mask[i & 3]!;
        off += head + 4 + len;
        if (opcode === 0x8) return socket.destroy();
        if (opcode === 0x1) onMessage(socket, payload.toString());
      }
      buf = buf.subarray(off);
    };
  }

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      subscribers.delete(socket);
    });
    let head: Buffer = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return head.length > 8192 ? socket.destroy() : undefined;
      socket.off('data', onHead);
      const key = /^sec-websocket-key:\s*(\S+)\s*$/im.exec(head.subarray(0, end).toString('latin1'))?.[1];
      if (!key) return socket.destroy();
      const accept = createHash('sha1').update(key + GUID).digest('base64');
      // As `ws` does for its sockets: no Nagle delay, so both pay the same per-write path.
      socket.setNoDelay(true);
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      const feed = frames(socket);
      socket.on('data', feed);
      if (head.length > end + 4) feed(head.subarray(end + 4));
    };
    socket.on('data', onHead);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    notes: ['floor: bare node:net server, minimal RFC 6455 upgrade, one prebuilt frame written per subscriber per event (no WebSocket library, no checks)'],
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
