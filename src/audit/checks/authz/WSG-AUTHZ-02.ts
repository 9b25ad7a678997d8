import { authzOptions } from '../../options.js';
import { firstReply, granted, session, short } from './reply.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-AUTHZ-02',
  title: 'Object-level access on subscribe/join (BOLA/IDOR)',
  area: 'AUTHZ',
  severity: 'high',
  mode: 'safe',
  references: ['ASVS 8.2.2', 'ZAP-110007', 'WSTG step 5'],
  remediation: 'Check every subscribe/join against the session (canSubscribe(user, channel)); keep channels closed unless a rule opens them, and re-check on resubscribe and reconnect.',
  description: "With --subscribe-template (an {{id}} placeholder), --foreign-id (the second identity's channel) and optionally --own-id: session A subscribes to its own id (must be granted), then to the foreign id and to guesses (own id ± 1). Finding: A is granted another user's channel; certain when A's reply equals what the second identity gets for its own channel, tentative otherwise.",
};

const fill = (template: string, id: string) => template.split('{{id}}').join(id);

/** own id ± 1 when it ends in a number (user:41 → user:40, user:42). */
function guesses(own: string | undefined, foreign: string): string[] {
  const m = own ? /^(.*?)(\d+)$/.exec(own) : null;
  if (!m) return [];
  const n = Number(m[2]);
  return [n - 1, n + 1].filter((x) => x >= 0).map((x) => `${m[1]}${x}`).filter((id) => id !== foreign);
}

export async function run(ctx: CheckContext): Promise<void> {
  const { subscribeTemplate, ownId, foreignId } = authzOptions(ctx.options);
  if (!subscribeTemplate?.includes('{{id}}') || !foreignId) ctx.skip('needs --subscribe-template with {{id}} and --foreign-id (another user\'s channel)');
  const a = await session(ctx);
  if (ownId && !granted(await firstReply(ctx, a, fill(subscribeTemplate, ownId)))) {
    ctx.skip(`the subscribe template is refused even for the own id ${ownId}: check --subscribe-template`);
  }
  const second = ctx.options.secondIdentity;
  const reference = second ? await firstReply(ctx, await session(ctx, { credentials: second }), fill(subscribeTemplate, foreignId)) : null;
  const hits: string[] = [];
  let certain = false;
  for (const id of [foreignId, ...guesses(ownId, foreignId)]) {
    // A fresh session per probe: the one subscribed to the own id may receive that channel's pushes,
    // which must not be read as the answer to the foreign subscribe.
    const reply = await firstReply(ctx, await session(ctx), fill(subscribeTemplate, id));
    if (!granted(reply)) continue;
    if (id === foreignId && reference !== null && reply === reference) certain = true;
    hits.push(`${id} → ${short(reply, 100)}`);
  }
  if (hits.length) {
    ctx.report({
      confidence: certain ? 'certain' : 'tentative',
      evidence: `Session A was granted channels it does not own${certain ? " (same reply the owner gets)" : ''}: ${hits.join('; ')}`,
    });
  }
}
