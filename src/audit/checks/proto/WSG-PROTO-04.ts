import { requireBaseline } from '../../check-helpers.js';
import { Opcode } from '../../raw/frame-encoder.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';
import { describe, probe, probeWaitMs, rejected, type Outcome } from './frames.js';

export const meta: CheckMeta = {
  id: 'WSG-PROTO-04',
  title: 'Invalid UTF-8 in text messages',
  area: 'PROTO',
  severity: 'low',
  mode: 'safe',
  references: ['RFC6455 §5.6', 'RFC6455 §8.1', 'RFC6455 §10.7', 'S10 (ws skipUTF8Validation: false)'],
  remediation: 'Validate text messages as UTF-8 across fragments and fail the connection with close 1007 on invalid data (ws: keep skipUTF8Validation false); never let a filter see bytes the decoder will read differently.',
  description: 'On separate baseline sessions sends text frames with an overlong sequence (C0 AF), a surrogate (ED A0 80) and a truncated sequence (E2 82), and the valid "€" split across two fragments (E2 | 82 AC). Finding when invalid text is tolerated (not closed) or the valid split is refused with 1007.',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

const INVALID: Array<[string, Buffer]> = [
  ['overlong C0 AF', Buffer.from([0x61, 0xc0, 0xaf, 0x62])],
  ['surrogate ED A0 80', Buffer.from([0x61, 0xed, 0xa0, 0x80])],
  ['truncated E2 82', Buffer.from([0x61, 0xe2, 0x82])],
];

/** Four probes one after another, each a handshake and a verdict wait. */
export function timeoutMs(o: AuditOptions): number {
  return Math.max(o.timeoutMs, 4 * (o.requestTimeoutMs + Math.min(1500, o.requestTimeoutMs)));
}

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  const wait = probeWaitMs(ctx);
  // One probe at a time: against a fragile server, probes sent together blur which one did the damage.
  const invalid: Array<readonly [string, Outcome]> = [];
  for (const [label, payload] of INVALID) invalid.push([label, await probe(ctx, [{ opcode: Opcode.TEXT, payload }])]);
  const split = await probe(ctx, [
    { opcode: Opcode.TEXT, payload: Buffer.from([0xe2]), fin: false },
    { opcode: Opcode.CONTINUATION, payload: Buffer.from([0x82, 0xac]) },
  ]);
  const lax = invalid.filter(([, o]) => !rejected(o)).map(([label, o]) => `text with ${label}: ${describe(o, wait)}`);
  // Only 1007 says "bad UTF-8"; another close code may be the application refusing the content.
  if (split.kind === 'closed' && split.code === 1007) lax.push('valid "€" split across two fragments: refused with close 1007');
  if (lax.length === 0) return;
  const direct = invalid.some(([, o]) => o.kind === 'alive') || split.kind === 'closed';
  ctx.report({ confidence: direct ? 'certain' : 'tentative', evidence: `${lax.join('; ')} (expected 1007 for invalid text only).` });
}
