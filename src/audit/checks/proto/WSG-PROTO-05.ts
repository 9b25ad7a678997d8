import { requireBaseline } from '../../check-helpers.js';
import { Opcode } from '../../raw/frame-encoder.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';
import { describe, openSession, probe, probeWaitMs, rejected, requireServedSession, send, verdict, type Outcome } from './frames.js';

export const meta: CheckMeta = {
  id: 'WSG-PROTO-05',
  title: 'Fragmentation sequence errors',
  area: 'PROTO',
  severity: 'low',
  mode: 'safe',
  references: ['RFC6455 §5.4'],
  remediation: 'Fail the connection with close 1002 on a continuation frame with no message open and on a new data frame while a fragmented message is open; answer control frames interleaved between fragments.',
  description: 'On separate baseline sessions: a continuation frame with no message in progress; a new text frame while a fragmented message is open; a ping between two fragments of a valid message (must be answered). Skipped when a plain session (one valid ping, no violation) is itself ended right after the 101: such a server answers every probe alike. Finding when an error is tolerated or the interleaved ping is refused.',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

/** A valid fragmented message with our ping between its fragments. */
async function interleavedPing(ctx: CheckContext): Promise<Outcome> {
  const conn = await openSession(ctx);
  try {
    send(ctx, conn, { opcode: Opcode.TEXT, payload: 'hel', fin: false });
    const o = await verdict(ctx, conn);
    send(ctx, conn, { opcode: Opcode.CONTINUATION, payload: 'lo' });
    return o;
  } finally {
    conn.destroy();
  }
}

/** A plain session, then three probes one after another, each a handshake and a verdict wait. */
export function timeoutMs(o: AuditOptions): number {
  return Math.max(o.timeoutMs, 4 * (o.requestTimeoutMs + Math.min(1500, o.requestTimeoutMs)));
}

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  await requireServedSession(ctx);
  const wait = probeWaitMs(ctx);
  // One probe at a time: against a fragile server, probes sent together blur which one did the damage.
  const stray = await probe(ctx, [{ opcode: Opcode.CONTINUATION, payload: 'wsguard' }]);
  const overlap = await probe(ctx, [{ opcode: Opcode.TEXT, payload: 'ab', fin: false }, { opcode: Opcode.TEXT, payload: 'cd' }]);
  const ping = await interleavedPing(ctx);
  const lax: string[] = [];
  if (!rejected(stray)) lax.push(`continuation with no message open: ${describe(stray, wait)}`);
  if (!rejected(overlap)) lax.push(`new text frame inside a fragmented message: ${describe(overlap, wait)}`);
  if (ping.kind !== 'alive') lax.push(`ping between fragments of a valid message not answered: ${describe(ping, wait)}`);
  if (lax.length === 0) return;
  const direct = stray.kind === 'alive' || overlap.kind === 'alive' || rejected(ping);
  ctx.report({ confidence: direct ? 'certain' : 'tentative', evidence: `${lax.join('; ')} (expected close 1002 for the errors, a pong mid-message).` });
}
