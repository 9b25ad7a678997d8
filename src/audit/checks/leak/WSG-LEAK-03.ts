import { isControlPacket, isEchoOf, looksLikeError } from '../../canary.js';
import { jwtPart } from '../../check-helpers.js';
import { authzOptions } from '../../options.js';
import type { AuditOptions, AuditSocket, CheckContext, CheckMeta } from '../../types.js';
import { mask, short } from './traffic-scan.js';

export const meta: CheckMeta = {
  id: 'WSG-LEAK-03',
  title: 'Cross-user broadcast',
  area: 'LEAK',
  severity: 'high',
  mode: 'safe',
  references: ['ASVS 8.2.2', 'PS'],
  remediation: 'Fan messages out per authorised subscription (room/channel membership checked on join and on every publish), never to every connection; include only the recipient\'s own data.',
  description: 'Opens session A (operator) and session B (--second identity), learns what is B\'s (its token subject, values only B\'s canary answer contains: the reply to the canary on B alone, matching --canary-expect when given, never a frame A receives at the same time such as another user\'s broadcast), lets B send the operator\'s messages (or the canary), and records what A receives for up to --session-wait (default 20 s, 60 s with --thorough). Finding when A receives B-scoped data it did not ask for. The second identity must not be entitled to A\'s data: when B\'s canary answer equals A\'s, or B may subscribe to A\'s channel (--subscribe-template with --own-id), the check is skipped instead of reporting what B may rightly see. Skipped without a second identity or an action to perform.',
};

function windowMs(o: AuditOptions): number {
  return Math.min(60_000, o.sessionWaitMs);
}

/** A long observation: runs beside the other checks (see CheckModule.background). */
export const background = true;

export function timeoutMs(o: AuditOptions): number {
  return windowMs(o) + 15_000;
}

const words = (texts: string[]) => new Set(texts.flatMap((t) => t.match(/[\w.@-]{6,}/g) ?? []));

/**
 * The answer `s` gets to the canary: what arrives on it within the wait and not, at the same time,
 * on `other` (a frame both sessions get is traffic fanned out to everyone, e.g. another user's
 * chat, not a reply), matching --canary-expect when given. Asked one session at a time.
 */
async function canaryAnswer(s: AuditSocket, other: AuditSocket, o: Pick<AuditOptions, 'canary' | 'canaryExpect' | 'protocol'> & { waitMs: number }): Promise<string[]> {
  if (!o.canary) return [];
  const socketIo = o.protocol === 'socket.io';
  const re = o.canaryExpect ? new RegExp(o.canaryExpect) : null;
  const from = s.messages.length;
  const fromOther = other.messages.length;
  s.send(o.canary);
  await s.collect(o.waitMs);
  const fannedOut = new Set(other.messages.slice(fromOther));
  return s.messages.slice(from).filter((m) => !fannedOut.has(m) && !isControlPacket(m, socketIo) && !isEchoOf(m, o.canary) && (re ? re.test(m) : !looksLikeError(m)));
}

/**
 * Why B may see A's data, or null: B's canary answer is A's own protected answer, or B may
 * subscribe to A's channel (--subscribe-template with --own-id).
 */
async function entitlement(ctx: CheckContext, aReplies: string[], bReplies: string[], b: AuditSocket): Promise<string | null> {
  const socketIo = ctx.options.protocol === 'socket.io';
  const data = (m: string) => !isControlPacket(m, socketIo) && !looksLikeError(m);
  const shared = bReplies.find((m) => data(m) && aReplies.includes(m));
  if (shared) return `its canary answer equals A's: ${short(shared, 80)}`;
  const { subscribeTemplate, ownId } = authzOptions(ctx.options);
  if (!subscribeTemplate || !ownId) return null;
  const from = b.messages.length;
  b.send(subscribeTemplate.split('{{id}}').join(ownId));
  const reply = await b.waitFor((m) => !isControlPacket(m, socketIo), ctx.options.canaryWaitMs, from);
  return reply !== null && !looksLikeError(reply) ? `it may subscribe to A's ${mask(ownId)}: ${short(reply, 80)}` : null;
}

export async function run(ctx: CheckContext): Promise<void> {
  const o = ctx.options;
  if (!o.secondIdentity) ctx.skip('needs a second identity (B) to tell cross-user data apart');
  const actions = o.messages.length ? o.messages.slice(0, 3) : o.canary ? [o.canary] : [];
  if (actions.length === 0) ctx.skip('needs an operator action for B to perform (--message or --canary)');
  const [a, b] = await Promise.all([ctx.connect(), ctx.connect({ credentials: o.secondIdentity })]);
  if (!a.ok) return ctx.skip(`session A could not connect (${a.status ?? a.error})`);
  if (!b.ok) return ctx.skip(`session B (second identity) could not connect (${b.status ?? b.error})`);

  // What belongs to B and not to A: B's token subject, and values only B's canary answer carries.
  const ask = { canary: o.canary, canaryExpect: o.canaryExpect, protocol: o.protocol, waitMs: o.canaryWaitMs };
  const aReplies = await canaryAnswer(a.socket, b.socket, ask);
  const bReplies = await canaryAnswer(b.socket, a.socket, ask);
  // B entitled to A's data makes A seeing B's activity normal, not a leak: do not report it.
  const entitled = await entitlement(ctx, aReplies, bReplies, b.socket);
  if (entitled) ctx.skip(`the second identity is entitled to A's data (${entitled}): give one without rights to A's channel or data`);
  const subOf = (t?: string) => (t ? jwtPart(t, 1)?.sub : undefined);
  const aWords = words([...aReplies, String(subOf(o.credentials.token) ?? '')]);
  const markers = [...words(bReplies)].filter((w) => !aWords.has(w));
  const bSub = subOf(o.secondIdentity.token);
  if (typeof bSub === 'string' && bSub && !aWords.has(bSub)) markers.push(bSub);
  if (markers.length === 0) ctx.skip('nothing tells B\'s data apart from A\'s (give a JWT with a subject, or a --canary whose answer is per-user)');

  const from = a.socket.messages.length;
  for (const m of actions) b.socket.send(m);
  const wait = windowMs(o);
  const matches = (m: string) => markers.find((k) => new RegExp(`(^|[^\\w.@-])${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w.@-])`).test(m));
  const hit = await a.socket.waitFor((m) => matches(m) !== undefined, wait, from);
  if (hit === null) return;
  const marker = matches(hit) ?? '';
  ctx.report({ confidence: 'certain', evidence: `While B performed its action, A (which subscribed to nothing of B's) received a message carrying B's value ${mask(marker)}: ${short(hit.split(marker).join(mask(marker)), 100)}` });
}
