import { isControlPacket, isEchoOf, looksLikeError } from '../../canary.js';
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
  description: 'Opens session A (operator) and session B (--second identity), asks each the canary and learns B\'s protected data: B\'s answer (the frames matching --canary-expect, or without it the frames B alone receives; when the pattern matches A\'s answer but none of B\'s, B\'s frames shaped like A\'s answer, else those B alone receives) and the values in it that A\'s answer lacks. Then B sends the operator\'s messages and A is watched, from B\'s canary on, for up to --session-wait (default 20 s, 60 s with --thorough). Finding only when A receives B\'s answer: the same frame, or a frame matching --canary-expect that carries a value only B\'s answer has. A frame that merely names B (B\'s chat relayed to the room) is never claimed. The second identity must not be entitled to A\'s data: when B\'s canary answer equals A\'s, or B may subscribe to A\'s channel (--subscribe-template with --own-id), the check is skipped instead of reporting what B may rightly see. Skipped without a second identity or a --canary.',
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
 * The answer `s` gets to the canary: what arrives on it within the wait. `matched`: the frames
 * matching --canary-expect, so a frame `other` receives too still counts (a private answer fanned
 * out to every connection is the leak this check looks for). `alone`: the frames `s` alone
 * receives (a frame both sessions get is traffic fanned out to everyone, e.g. another user's
 * chat, not a reply), the answer without --canary-expect. Asked one session at a time.
 */
async function canaryAnswer(s: AuditSocket, other: AuditSocket, o: Pick<AuditOptions, 'canary' | 'canaryExpect' | 'protocol'> & { waitMs: number }): Promise<{ matched: string[]; alone: string[]; got: string[] }> {
  if (!o.canary) return { matched: [], alone: [], got: [] };
  const socketIo = o.protocol === 'socket.io';
  const re = o.canaryExpect ? new RegExp(o.canaryExpect) : null;
  const from = s.messages.length;
  const fromOther = other.messages.length;
  s.send(o.canary);
  await s.collect(o.waitMs);
  const fannedOut = new Set(other.messages.slice(fromOther));
  const got = s.messages.slice(from).filter((m) => !isControlPacket(m, socketIo) && !isEchoOf(m, o.canary));
  const alone = got.filter((m) => !fannedOut.has(m) && !looksLikeError(m));
  return { matched: re ? got.filter((m) => re.test(m)) : alone, alone, got };
}

/** A JSON frame with its values replaced by their types ({"a":"x","n":1} → {"a":"string","n":"number"}), or null. */
function jsonShape(m: string): string | null {
  try {
    return JSON.stringify(JSON.parse(m), (_k, v: unknown) => (v !== null && typeof v === 'object' ? v : typeof v));
  } catch {
    return null;
  }
}

/**
 * Why B may see A's data, or null: B's canary answer is A's own protected answer, or B may
 * subscribe to A's channel (--subscribe-template with --own-id).
 */
async function entitlement(ctx: CheckContext, aReplies: string[], bReplies: string[], b: AuditSocket): Promise<string | null> {
  const socketIo = ctx.options.protocol === 'socket.io';
  const data = (m: string) => !isControlPacket(m, socketIo) && !looksLikeError(m);
  // Only when all of B's answer is A's: copies of A's answer reaching B beside B's own (another
  // session of A asking at the same time, fanned out) do not make B entitled.
  const bData = bReplies.filter(data);
  const shared = bData.length > 0 && bData.every((m) => aReplies.includes(m)) ? bData[0] : undefined;
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
  // Only B's answer to the canary is data the check can prove is B's own: without one, nothing to look for.
  if (!o.canary) ctx.skip('needs a --canary whose answer is per-user protected data (B\'s answer is what A must never receive)');
  const actions = o.messages.slice(0, 3);
  const [a, b] = await Promise.all([ctx.connect(), ctx.connect({ credentials: o.secondIdentity })]);
  if (!a.ok) return ctx.skip(`session A could not connect (${a.status ?? a.error})`);
  if (!b.ok) return ctx.skip(`session B (second identity) could not connect (${b.status ?? b.error})`);

  // What belongs to B and not to A: values only B's canary answer carries. B's identity alone
  // (a JWT subject, a name) is not protected data: a chat message B sends names B, and every
  // member of the room may read it.
  const ask = { canary: o.canary, canaryExpect: o.canaryExpect, protocol: o.protocol, waitMs: o.canaryWaitMs };
  const aAnswer = await canaryAnswer(a.socket, b.socket, ask);
  const from = a.socket.messages.length;
  const bAnswer = await canaryAnswer(b.socket, a.socket, ask);
  // A pattern matching only A's answer (--canary-expect 'secret-of-alice'): B's answer is then
  // learnt without it, compared with all of A's: B's frames shaped like A's matched answer (the
  // same JSON with other values, even when A got them too: that is the leak), else as without
  // --canary-expect, the frames B alone received.
  const patternMissesB = o.canaryExpect !== undefined && aAnswer.matched.length > 0 && bAnswer.matched.length === 0;
  const aReplies = patternMissesB ? [...new Set([...aAnswer.matched, ...aAnswer.alone])] : aAnswer.matched;
  const aShapes = new Set(aAnswer.matched.map(jsonShape).filter((x) => x !== null));
  const shaped = bAnswer.got.filter((m) => !aReplies.includes(m) && aShapes.has(jsonShape(m) ?? ''));
  const bReplies = patternMissesB ? (shaped.length ? shaped : bAnswer.alone) : bAnswer.matched;
  // B entitled to A's data makes A seeing B's activity normal, not a leak: do not report it.
  // (Against A's matched answer: protocol frames both get, such as graphql-ws `complete`, are no data.)
  const entitled = await entitlement(ctx, aAnswer.matched, bReplies, b.socket);
  if (entitled) ctx.skip(`the second identity is entitled to A's data (${entitled}): give one without rights to A's channel or data`);
  const aWords = words(aReplies);
  const markers = [...words(bReplies)].filter((w) => !aWords.has(w));
  // B's answer frames that A's lacks: recognisable whole even when no value in them is long enough
  // to be a marker ({"user":"bob"} against {"user":"alice"}).
  const bOwn = bReplies.filter((m) => !aReplies.includes(m));
  if (markers.length === 0 && bOwn.length === 0) {
    ctx.skip(o.canaryExpect !== undefined && bAnswer.matched.length === 0
      ? `nothing tells B's data apart from A's: --canary-expect matched none of B's answer, and it must match every user's answer (e.g. the common prefix 'secret-of-', not 'secret-of-alice')`
      : 'nothing tells B\'s data apart from A\'s (give a --canary whose answer is per-user, and --canary-expect to recognise it)');
  }

  // A frame is B's protected data only when it is B's canary answer: the same frame, or (with
  // --canary-expect) a frame of the answer's pattern carrying a value only B's answer has. Never
  // a frame that merely names B, such as B's --message relayed to the room.
  // A pattern that missed B's answer cannot recognise it: B's frames themselves then.
  const re = o.canaryExpect && !patternMissesB ? new RegExp(o.canaryExpect) : null;
  const has = (m: string, k: string) => new RegExp(`(^|[^\\w.@-])${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w.@-])`).test(m);
  const markerIn = (m: string) => markers.find((k) => has(m, k));
  const isBs = (m: string) => bOwn.includes(m) || (re !== null && re.test(m) && markerIn(m) !== undefined);
  // B's canary request above is B's first action (a server fanning B's answer out leaks it then); then its --message samples.
  for (const m of actions) b.socket.send(m);
  const hit = await a.socket.waitFor(isBs, windowMs(o), from);
  if (hit === null) return;
  const marker = markerIn(hit) ?? '';
  const shown = marker ? short(hit.split(marker).join(mask(marker)), 100) : short(hit, 100);
  ctx.report({ confidence: 'certain', evidence: `A (which subscribed to nothing of B's) received B's answer to the canary${marker ? `, carrying B's value ${mask(marker)}` : ''}: ${shown}` });
}
