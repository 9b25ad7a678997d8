import { encodeFrame, Opcode } from '../../raw/frame-encoder.js';
import { closedVerdict, describe, drained, openRaw, pingVerdict } from './raw-probe.js';
import { limitOptions } from '../../options.js';
import { reportIfDown } from './liveness.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-LIMIT-03',
  title: 'Fragment / chunk flood',
  area: 'LIMIT',
  severity: 'medium',
  mode: 'intrusive',
  references: ['RFC6455 §5.4', 'RFC6455 §10.4', 'S10 (ws CVE-2026-48779, 2b2abd45, a2f4e7c)'],
  remediation: 'Bound the number of fragments and buffered chunks per message (ws ≥ 8.21 maxFragments / maxBufferedChunks; wsguard: 1 024 fragments) and time out unfinished fragmented messages; close 1008.',
  description: 'Starts a text message (FIN=0, 1 byte) and sends 200 000 continuation frames of 0–1 byte without FIN at full speed, in batches, then a ping. Finding: no close after all of them (the message is still open). A target that stops answering handshakes is reported by WSG-LIVE-01/02.',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

const BATCH = 5000;
/** Masked continuation frames with a zero key: mostly empty, one byte in every 16th, so the payload stays tiny (~6 % of the count). */
function batch(): Buffer {
  const zero = Buffer.alloc(4);
  const empty = encodeFrame({ opcode: Opcode.CONTINUATION, fin: false, mask: zero });
  const one = encodeFrame({ opcode: Opcode.CONTINUATION, fin: false, mask: zero, payload: 'a' });
  return Buffer.concat(Array.from({ length: BATCH }, (_, i) => (i % 16 === 15 ? one : empty)));
}

/** Bytes of the first `n` frames of a batch: groups of 15 empty (6 B) + one 1-byte frame (7 B). */
const prefixBytes = (n: number) => Math.floor(n / 16) * 97 + (n % 16) * 6;

/** Crash-class probe: runs after the ordinary checks so a crash does not spoil them. */
export const phase = 1;

export async function run(ctx: CheckContext): Promise<void> {
  const total = limitOptions(ctx.options).fragmentCount;
  const s = await openRaw(ctx);
  const frames = batch();
  let sent = 0;
  try {
    s.conn.sendFrame({ opcode: Opcode.TEXT, fin: false, payload: 'a' });
    while (sent < total && !closedVerdict(s) && !ctx.signal.aborted) {
      const n = Math.min(BATCH, total - sent);
      s.conn.write(frames.subarray(0, prefixBytes(n)));
      sent += n;
      // drained() removes its 'close' listener again: a once('close') per batch piled up on the socket.
      await drained(s.conn);
    }
    const v = await pingVerdict(s, ctx.options.requestTimeoutMs);
    if (v.kind !== 'closed') {
      ctx.report({ confidence: 'certain', evidence: `${sent} continuation frames (0–1 byte, no FIN) were taken without a close; the message is still open (${describe(v)}).` });
    }
  } finally {
    s.conn.destroy();
  }
  await reportIfDown(ctx, `a ${sent}-fragment message`);
}
