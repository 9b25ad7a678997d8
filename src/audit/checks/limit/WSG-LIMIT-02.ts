import { encodeFrame, Opcode } from '../../raw/frame-encoder.js';
import { describe, openRaw, pingVerdict } from './raw-probe.js';
import { reportIfDown } from './liveness.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-LIMIT-02',
  title: 'Frame length header trusted',
  area: 'LIMIT',
  severity: 'high',
  mode: 'intrusive',
  references: ['RFC6455 §5.2', 'RFC6455 §10.4', 'STEWS-4', 'S12 (Gorilla CVE-2020-27813)'],
  remediation: 'Reject a frame from its header alone when the declared length exceeds the message cap or 2^63 (MSB set): close 1009/1002 before reading the body (ws does this; keep it current).',
  description: 'On fresh connections sends a frame header declaring 2^62 bytes followed by 16 bytes, a header whose 64-bit length has the MSB set, and the STEWS-4 Gorilla sequence (non-FIN binary, continuation with an MSB-set length, FIN continuation). A ping follows each. Finding: no close (the server waits for the body or ignores the length). A target that stops answering handshakes is reported by WSG-LIVE-01/02.',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

const BODY = Buffer.alloc(16, 'a');

const PROBES: Array<{ name: string; frames: () => Buffer[] }> = [
  { name: 'declared length 2^62', frames: () => [encodeFrame({ opcode: Opcode.BINARY, declaredLength: 1n << 62n, payload: BODY })] },
  { name: 'declared length with the MSB set (0x8000000000000000)', frames: () => [encodeFrame({ opcode: Opcode.BINARY, declaredLength: 1n << 63n, payload: BODY })] },
  {
    name: 'STEWS-4 sequence (continuation with an MSB-set length)',
    frames: () => [
      encodeFrame({ opcode: Opcode.BINARY, fin: false, payload: Buffer.from('a') }),
      encodeFrame({ opcode: Opcode.CONTINUATION, fin: false, declaredLength: 1n << 63n, payload: BODY }),
      encodeFrame({ opcode: Opcode.CONTINUATION, payload: Buffer.from('bbbbb') }),
    ],
  },
];

export function timeoutMs(o: AuditOptions): number {
  return PROBES.length * (Math.min(o.requestTimeoutMs, 5000) + o.requestTimeoutMs * 2 + 10_000) + 5000;
}

/** Crash-class probe: runs after the ordinary checks so a crash does not spoil them. */
export const phase = 1;

export async function run(ctx: CheckContext): Promise<void> {
  const wait = Math.min(ctx.options.requestTimeoutMs, 5000);
  const tolerated: string[] = [];
  for (const p of PROBES) {
    const s = await openRaw(ctx);
    try {
      for (const f of p.frames()) s.conn.write(f);
      const v = await pingVerdict(s, wait);
      if (v.kind !== 'closed') tolerated.push(`${p.name}: ${v.kind === 'silent' ? `no close within ${wait} ms (waiting for the body)` : describe(v)}`);
    } finally {
      s.conn.destroy();
    }
    if (await reportIfDown(ctx, `"${p.name}"`)) return;
  }
  if (tolerated.length) ctx.report({ confidence: 'certain', evidence: `Frame length not judged from the header: ${tolerated.join('; ')}.` });
}
