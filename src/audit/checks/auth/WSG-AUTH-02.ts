import { credentialAccepted, jwtPart, requireAuthEnforced } from '../../check-helpers.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-AUTH-02',
  title: 'Forged, tampered or expired token accepted',
  area: 'AUTH',
  severity: 'critical',
  mode: 'safe',
  references: ['ASVS 9.1.1', 'ASVS 9.2.1', 'ASVS 7.2.1'],
  remediation: 'Verify token signatures with a pinned algorithm list (never `none`), and check exp/nbf/aud/iss with a small clock skew.',
  description: 'With the operator token (--token), sent the way the baseline sends it: one signature byte flipped; a JWT re-encoded with alg none; the expired token (--expired-token) and a token for another audience (--other-audience-token) if supplied. Finding when any is accepted (101 + canary data, or 101 where no credential gets 401/403).',
};

/** Changes one character in the middle of the signature (still valid base64url). */
export function flipSignature(token: string): string {
  const dot = token.lastIndexOf('.');
  const start = dot >= 0 && dot < token.length - 1 ? dot + 1 : 0;
  const i = start + Math.floor((token.length - start) / 2);
  const c = token[i] ?? 'A';
  return token.slice(0, i) + (c === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

export function algNone(token: string): string | null {
  const header = jwtPart(token, 0);
  const payload = token.split('.')[1];
  if (!header || !payload) return null;
  return `${Buffer.from(JSON.stringify({ ...header, alg: 'none' })).toString('base64url')}.${payload}.`;
}

/** Sends failing credentials: runs after the other checks (the target may throttle us). */
export const phase = 1;

export async function run(ctx: CheckContext): Promise<void> {
  const creds = ctx.options.credentials;
  if (!creds.token) ctx.skip('needs the operator token (--token)');
  await requireAuthEnforced(ctx);
  const variants: Array<[string, string]> = [['signature byte flipped', flipSignature(creds.token)]];
  const none = algNone(creds.token);
  if (none) variants.push(['JWT with alg: none', none]);
  if (ctx.options.expiredToken) variants.push(['expired token', ctx.options.expiredToken]);
  if (ctx.options.otherAudienceToken) variants.push(['token for another audience', ctx.options.otherAudienceToken]);
  const accepted: string[] = [];
  let confidence: 'certain' | 'likely' | 'tentative' = 'tentative';
  for (const [label, token] of variants) {
    const p = await credentialAccepted(ctx, { credentials: { ...creds, token } });
    if (p.outcome === 'accepted') {
      accepted.push(`${label}: ${p.detail}`);
      if (p.confidence === 'certain' || (p.confidence === 'likely' && confidence === 'tentative')) confidence = p.confidence;
    }
  }
  if (accepted.length) ctx.report({ confidence, evidence: `Accepted forged credentials (sent as ${creds.tokenIn}):\n${accepted.join('\n')}` });
}
