import { requireBaseline, sharedHandshake, statusLine } from '../../check-helpers.js';
import { hasAmbientCredential } from '../../request-variant.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-ORIGIN-03',
  title: 'Missing Origin accepted',
  area: 'ORIGIN',
  severity: 'info',
  mode: 'safe',
  references: ['RFC6455 §10.1', 'STEWS-1', 'Gorilla checkSameOrigin (S12)'],
  remediation: 'For browser-only endpoints authenticated by cookies, reject handshakes without Origin; otherwise allow them only when no ambient credential is present.',
  description: 'Baseline handshake without Origin. Reported as info when accepted (non-browser clients legitimately omit it); medium when the endpoint is declared browser-only (--browser-only) and authenticated by a cookie.',
};

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  const r = await sharedHandshake(ctx, 'origin:missing', { origin: null });
  if (!r.upgraded) return;
  const escalate = ctx.options.browserOnly && hasAmbientCredential(ctx.options.credentials);
  ctx.report({
    confidence: 'certain',
    severity: escalate ? 'medium' : 'info',
    evidence: `Handshake without an Origin header got ${statusLine(r)}${escalate ? '; the endpoint is declared browser-only and is authenticated by a cookie' : ' (acceptable for non-browser clients; browsers always send Origin)'}.`,
  });
}
