/**
 * Incremental parser for frames the server sends. Bounded: a frame larger than `maxPayload`
 * is an error, never an allocation. Close frames get their code and reason decoded.
 */
/** The header bits of a frame, either way (frames sent are described with the same fields). */
export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
}

export interface Frame extends FrameHeader {
  payload: Buffer;
  /** Close frames only. */
  closeCode?: number;
  closeReason?: Buffer;
}

export class FrameTooLargeError extends Error {
  constructor(readonly declared: bigint) {
    super(`server frame declares ${declared} bytes, above the reader's bound`);
  }
}

export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPayload = 16 * 1024 * 1024) {}

  /** Feeds bytes, returns every complete frame they finish. Throws FrameTooLargeError. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const frame = this.tryParse();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  private tryParse(): Frame | null {
    const b = this.buf;
    if (b.length < 2) return null;
    const b0 = b[0] ?? 0;
    const b1 = b[1] ?? 0;
    const masked = (b1 & 0x80) !== 0;
    let len = BigInt(b1 & 0x7f);
    let off = 2;
    if (len === 126n) {
      if (b.length < 4) return null;
      len = BigInt(b.readUInt16BE(2));
      off = 4;
    } else if (len === 127n) {
      if (b.length < 10) return null;
      len = b.readBigUInt64BE(2);
      off = 10;
    }
    if (len > BigInt(this.maxPayload)) throw new FrameTooLargeError(len);
    const maskKey = masked ? b.subarray(off, off + 4) : null;
    if (masked) off += 4;
    const end = off + Number(len);
    if (b.length < end) return null;
    let payload: Buffer = Buffer.from(b.subarray(off, end));
    if (maskKey) payload = payload.map((v, i) => v ^ (maskKey[i & 3] ?? 0)) as Buffer;
    this.buf = b.subarray(end);
    const frame: Frame = {
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode: b0 & 0x0f,
      masked,
      payload,
    };
    if (frame.opcode === 0x8 && payload.length >= 2) {
      frame.closeCode = payload.readUInt16BE(0);
      frame.closeReason = payload.subarray(2);
    }
    return frame;
  }
}
