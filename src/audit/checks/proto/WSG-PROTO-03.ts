import { requireBaseline } from '../../check-helpers.js';
import { closePayload, Opcode, type FrameSpec } from '../../raw/frame-encoder.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';
import { describe, probe, probeWaitMs, rejected, requireServedSession, type Outcome } from './frames.js';

export const meta: CheckMeta = {
  id: 'WSG-PROTO-03',
  title: 'Control/close frame rules not enforced',
  area: 'PROTO',
  severity: 'low',
  mode: 'safe',
  references: ['RFC6455 §5.5', 'RFC6455 §5.5.1', 'RFC6455 §5.5.2', 'RFC6455 §5.5.3', 'RFC6455 §7.4'],
  remediation: 'Fail the connection (close 1002, 1007 for a bad reason) on control frames over 125 bytes or without FIN, and on close codes that may not be sent (< 1000, 1004-1006, 1015, ≥ 5000); answer every ping with a pong carrying the same data.',
  description: 'On separate baseline sessions, one after another (a crash then names one frame): ping with a 126-byte payload; ping with FIN=0; close with codes 999, 1005, 1006, 1015, 5000; close with an invalid UTF-8 reason; a normal ping whose pong must carry the same data. Skipped when a plain session (one valid ping, no violation) is itself ended right after the 101: such a server answers every probe alike. Finding when a violation is tolerated or the pong differs.',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

/** Nine probes one after another, each a handshake and at most the verdict wait. */
export function timeoutMs(options: AuditOptions): number {
  return Math.max(options.timeoutMs, 9 * (options.requestTimeoutMs + Math.min(1500, options.requestTimeoutMs)));
}

const VIOLATIONS: Array<[string, FrameSpec]> = [
  ['ping with 126-byte payload', { opcode: Opcode.PING, payload: Buffer.alloc(126, 0x61) }],
  ['ping with FIN=0', { opcode: Opcode.PING, payload: 'wsguard', fin: false }],
];
const CLOSES: Array<[string, Buffer]> = [
  ...[999, 1005, 1006, 1015, 5000].map((c): [string, Buffer] => [`close code ${c}`, closePayload(c)]),
  ['close reason with invalid UTF-8', closePayload(1000, Buffer.from([0x6f, 0x6b, 0xff, 0xfe]))],
];

/** A bad close is refused with 1002 (1007 for the reason) or a drop; any other answer tolerates it. */
function closeRefused(o: Outcome): boolean {
  return o.kind === 'dropped' || (o.kind === 'closed' && (o.code === 1002 || o.code === 1007));
}

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  await requireServedSession(ctx);
  const wait = probeWaitMs(ctx);
  // One probe at a time: when a frame takes the server down, the liveness watch names that frame
  // (concurrent probes would leave several unanswered at once). Bounded: 9 probes, each at most
  // a handshake and the verdict wait.
  const controls: Array<readonly [string, Outcome]> = [];
  for (const [label, spec] of VIOLATIONS) controls.push([label, await probe(ctx, [spec])]);
  const closes: Array<readonly [string, Outcome]> = [];
  for (const [label, payload] of CLOSES) closes.push([label, await probe(ctx, [{ opcode: Opcode.CLOSE, payload }], { ping: false })]);
  const ping = await probe(ctx, []);
  const lax = [
    ...controls.filter(([, o]) => !rejected(o)).map(([label, o]) => `${label}: ${describe(o, wait)}`),
    ...closes.filter(([, o]) => !closeRefused(o)).map(([label, o]) => `${label}: ${o.kind === 'closed' ? 'answered ' : ''}${describe(o, wait)}`),
  ];
  if (ping.kind !== 'alive') lax.push(`plain ping: no pong (${describe(ping, wait)})`);
  else if (!ping.pongMatches) lax.push('plain ping: pong data differs from the ping');
  if (lax.length === 0) return;
  const direct = controls.some(([, o]) => o.kind === 'alive') || closes.some(([, o]) => o.kind === 'closed') || ping.kind === 'alive';
  ctx.report({ confidence: direct ? 'certain' : 'tentative', evidence: `Tolerated (expected close 1002/1007): ${lax.join('; ')}.` });
}
