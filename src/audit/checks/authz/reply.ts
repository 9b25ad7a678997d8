/** One request, one answer: the first application reply to a message, for comparing sessions. */
import { isControlPacket, looksLikeError } from '../../canary.js';
import type { AuditSocket, CheckContext, HandshakeVariant } from '../../types.js';

export async function firstReply(ctx: CheckContext, s: AuditSocket, msg: string): Promise<string | null> {
  const socketIo = ctx.options.protocol === 'socket.io';
  const from = s.messages.length;
  s.send(msg);
  return s.waitFor((m) => !isControlPacket(m, socketIo), ctx.options.canaryWaitMs, from);
}

export async function session(ctx: CheckContext, variant: HandshakeVariant = {}): Promise<AuditSocket> {
  const r = await ctx.connect(variant);
  if (!r.ok) return ctx.skip(`${variant.credentials ? 'second' : 'baseline'} connection failed (${r.status ?? r.error})`);
  return r.socket;
}

/** A reply that carries data or an ack rather than a refusal. */
export const granted = (reply: string | null): reply is string => reply !== null && !looksLikeError(reply);

/** Same JSON shape: equal `type` and key set (ids and timestamps may differ). */
export function sameShape(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const x: unknown = JSON.parse(a);
    const y: unknown = JSON.parse(b);
    if (!x || !y || typeof x !== 'object' || typeof y !== 'object') return false;
    const kx = Object.keys(x).sort().join();
    const ky = Object.keys(y).sort().join();
    return kx === ky && (x as Record<string, unknown>).type === (y as Record<string, unknown>).type;
  } catch {
    return false;
  }
}

export { short } from '../input/inject.js';
