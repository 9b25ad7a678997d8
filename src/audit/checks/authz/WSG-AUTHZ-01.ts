import { authzOptions } from '../../options.js';
import { firstReply, granted, sameShape, session, short } from './reply.js';
import { reportIfDown } from '../limit/liveness.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-AUTHZ-01',
  title: 'Missing per-message function authorisation',
  area: 'AUTHZ',
  severity: 'high',
  mode: 'intrusive',
  references: ['ASVS 8.2.1', 'ASVS 8.3.1', 'OWASP-CS message-level authz', 'S12 (Gitpod PR #21108)'],
  remediation: 'Authorise every message type against the session (deny by default for unregistered types), sharing the policy with the HTTP API so the two cannot drift.',
  description: 'Sends each privileged template (--priv-message) over the operator\'s low-privilege session and, when a high-privilege session is given, over that one too. Finding: the low-privilege session gets an ack/result instead of a refusal; certain when it matches the high-privilege reply, tentative without one. Intrusive because templates may change state; safe when they are read-only.',
};

async function probe(ctx: CheckContext): Promise<void> {
  const { privMessages, privIdentity } = authzOptions(ctx.options);
  if (!privMessages.length) ctx.skip('needs privileged message templates (--priv-message)');
  const low = await session(ctx);
  const high = privIdentity ? await session(ctx, { credentials: privIdentity }) : null;
  const executed: string[] = [];
  let certain = false;
  for (const msg of privMessages) {
    const lowReply = await firstReply(ctx, low, msg);
    if (!granted(lowReply)) continue;
    // Low first: a state-changing template may not succeed twice, so the low reply is the evidence.
    const highReply = high ? await firstReply(ctx, high, msg) : null;
    const match = granted(highReply) && sameShape(lowReply, highReply);
    if (granted(highReply) && !match) continue; // both answered, differently: not the privileged result
    certain ||= match;
    executed.push(`${short(msg, 60)} → ${short(lowReply, 100)}`);
  }
  if (executed.length) {
    ctx.report({
      confidence: certain ? 'certain' : 'tentative',
      evidence: `The low-privilege session ran privileged messages${certain ? ' (same reply as the high-privilege session)' : ' (not confirmed by a high-privilege reply)'}: ${executed.join('; ')}`,
    });
  }
}

export async function run(ctx: CheckContext): Promise<void> {
  await probe(ctx);
  await reportIfDown(ctx, 'the privileged messages');
}
