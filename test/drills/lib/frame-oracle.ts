/**
 * Reference for what the server must answer to a byte stream sent after a successful upgrade:
 * it walks the bytes with RFC 6455's rules in the order `ws` applies them and names the close
 * codes docs/protocol.md allows. Independent of how the bytes were made, so random mutations
 * get an exact expectation too.
 */
import { isUtf8 } from 'node:buffer';

export interface Expectation {
  /** Close codes the server may send first (`null`: a close frame without a code). */
  readonly closeCodes: ReadonlySet<number | null>;
  /** The server must close (else it must keep the connection open and answer). */
  readonly mustClose: boolean;
  /** Why (for failure messages). */
  readonly why: string;
  /** The stream ends inside a frame: the server waits for the rest (no close expected). */
  readonly truncated: boolean;
}

const MAX_SAFE_HIGH = 2 ** 21 - 1;

function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

export function expectFor(stream: Buffer, limits: { maxPayload: number; maxFragments: number }): Expectation {
  const alsoAllowed = new Set<number | null>(); // pipeline closes that may overtake a later framing error
  const done = (code: number | null, why: string): Expectation => ({ closeCodes: new Set([code, ...alsoAllowed]), mustClose: true, why, truncated: false });
  let off = 0;
  let fragmented = 0; // opcode of the message in progress
  let total = 0;
  let fragments = 0;
  let parts: Buffer[] = [];
  let textMessages = 0;
  let partial = false;
  while (off < stream.length) {
    partial = true; // until this frame is complete
    if (stream.length - off < 2) break;
    const b0 = stream[off]!;
    const b1 = stream[off + 1]!;
    off += 2;
    if ((b0 & 0x30) !== 0) return done(1002, 'RSV2/RSV3 set');
    if (b0 & 0x40) return done(1002, 'RSV1 set without a negotiated extension');
    const fin = (b0 & 0x80) !== 0;
    let opcode = b0 & 0x0f;
    let len = b1 & 0x7f;
    if (opcode === 0) {
      if (!fragmented) return done(1002, 'continuation without a message in progress');
      opcode = fragmented;
    } else if (opcode === 1 || opcode === 2) {
      if (fragmented) return done(1002, 'new data frame inside a fragmented message');
    } else if (opcode >= 8 && opcode <= 10) {
      if (!fin) return done(1002, 'fragmented control frame');
      if (len > 125 || (opcode === 8 && len === 1)) return done(1002, 'bad control frame length');
    } else {
      return done(1002, `reserved opcode ${opcode}`);
    }
    if (!fin && !fragmented) fragmented = opcode;
    if ((b1 & 0x80) === 0) return done(1002, 'unmasked client frame');
    if (len === 126) {
      if (stream.length - off < 2) break;
      len = stream.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      if (stream.length - off < 8) break;
      const high = stream.readUInt32BE(off);
      if (high > MAX_SAFE_HIGH) return done(1009, '64-bit length above 2^53-1');
      len = high * 2 ** 32 + stream.readUInt32BE(off + 4);
      off += 8;
    }
    if (len && opcode < 8) {
      total += len;
      if (total > limits.maxPayload) return done(1009, 'message above maxPayload');
    }
    if (stream.length - off < 4 + len) break;
    const mask = stream.subarray(off, off + 4);
    const payload = Buffer.from(stream.subarray(off + 4, off + 4 + len));
    for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
    off += 4 + len;

    if (opcode === 8) {
      if (payload.length === 0) return done(null, 'client close without code: echoed without code');
      const code = payload.readUInt16BE(0);
      if (!validCloseCode(code)) return done(1002, `invalid close code ${code}`);
      if (!isUtf8(payload.subarray(2))) return done(1007, 'close reason not UTF-8');
      return done(code, 'client close: echoed');
    }
    partial = false;
    if (opcode > 8) continue; // ping answered with pong, pong ignored
    if (++fragments > limits.maxFragments) return done(1008, 'too many fragments');
    parts.push(payload);
    if (!fin) continue;
    const message = Buffer.concat(parts);
    fragmented = 0;
    total = 0;
    fragments = 0;
    parts = [];
    if (opcode === 1 && !isUtf8(message)) return done(1007, 'text message not UTF-8');
    // Each text message that is not a valid request is a violation; past the threshold: 1008.
    if (opcode === 1 && ++textMessages > 10) alsoAllowed.add(1008);
    // A complete binary message is closed 1003 by the pipeline, asynchronously: a framing error
    // later in the same stream may be seen first, so from here on 1003 is also acceptable.
    if (opcode === 2) alsoAllowed.add(1003);
  }
  const truncated = partial || fragmented !== 0;
  const binary = alsoAllowed.has(1003);
  return {
    closeCodes: alsoAllowed,
    mustClose: binary,
    why: binary ? 'binary message' : truncated ? 'stream ends inside a frame or message: the server waits' : 'well-formed frames only',
    truncated,
  };
}
