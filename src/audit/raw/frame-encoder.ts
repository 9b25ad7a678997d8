/**
 * Hand-built WebSocket frames (RFC 6455 §5.2), including the ones a correct client never sends:
 * unmasked, reserved bits, any opcode, fragmented control frames, non-minimal and 64-bit lengths
 * (even with the MSB set), and a header whose declared length differs from the payload sent.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';

export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

export type LengthForm = 'minimal' | '16' | '64';

export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  /** Default true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** true (default) masks with a random key, false sends MASK=0, a Buffer is the 4-byte key. */
  mask?: boolean | Buffer;
  /** Length encoding; 'minimal' (default) picks the shortest legal form. */
  lengthForm?: LengthForm;
  /** Length written in the header instead of the real payload length (lies are the point). */
  declaredLength?: bigint;
}

function toBuffer(p: Buffer | string | undefined): Buffer {
  if (p === undefined) return Buffer.alloc(0);
  return typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
}

export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = toBuffer(spec.payload);
  const declared = spec.declaredLength ?? BigInt(payload.length);
  const form: LengthForm = spec.lengthForm ?? (declared < 126n ? 'minimal' : declared < 65536n ? '16' : '64');
  let b0 = spec.opcode & 0x0f;
  if (spec.fin ?? true) b0 |= 0x80;
  if (spec.rsv1) b0 |= 0x40;
  if (spec.rsv2) b0 |= 0x20;
  if (spec.rsv3) b0 |= 0x10;

  const maskKey = spec.mask === false ? null : Buffer.isBuffer(spec.mask) ? spec.mask.subarray(0, 4) : randomBytes(4);
  const maskBit = maskKey ? 0x80 : 0;
  let header: Buffer;
  if (form === 'minimal') {
    if (declared >= 126n) throw new RangeError('minimal form needs a length < 126');
    header = Buffer.from([b0, maskBit | Number(declared)]);
  } else if (form === '16') {
    header = Buffer.alloc(4);
    header[0] = b0;
    header[1] = maskBit | 126;
    header.writeUInt16BE(Number(declared & 0xffffn), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = b0;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(declared & 0xffffffffffffffffn, 2);
  }
  if (!maskKey) return Buffer.concat([header, payload]);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = (payload[i] ?? 0) ^ (maskKey[i & 3] ?? 0);
  return Buffer.concat([header, maskKey, masked]);
}

/** Close frame payload: 2-byte code then reason (string or raw bytes, e.g. invalid UTF-8). */
export function closePayload(code?: number, reason?: string | Buffer): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code & 0xffff, 0);
  return Buffer.concat([head, toBuffer(reason)]);
}

/** permessage-deflate payload (RFC 7692 §7.2.1): raw deflate without the trailing 00 00 ff ff. */
export function deflateMessage(data: Buffer | string): Buffer {
  const out = deflateRawSync(toBuffer(data), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
  return out.subarray(0, out.length - 4);
}

/** Splits one message into a fragment chain: first frame has the opcode, the rest are continuations. */
export function fragmentMessage(opcode: number, payload: Buffer | string, chunkSize: number, extra: Omit<FrameSpec, 'opcode' | 'payload' | 'fin'> = {}): Buffer[] {
  const data = toBuffer(payload);
  const size = Math.max(1, chunkSize);
  const frames: Buffer[] = [];
  for (let off = 0; off < data.length || frames.length === 0; off += size) {
    const last = off + size >= data.length;
    frames.push(encodeFrame({ ...extra, opcode: frames.length === 0 ? opcode : Opcode.CONTINUATION, payload: data.subarray(off, off + size), fin: last }));
  }
  return frames;
}
