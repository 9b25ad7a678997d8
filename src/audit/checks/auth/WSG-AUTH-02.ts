import { credentialAccepted, jwtPart, requireAuthEnforced } from '../../check-helpers.js';
import { hasAnyCredential } from '../../request-variant.js';
import type { AuditOptions, CheckContext, CheckMeta, Confidence } from '../../types.js';
import { type CredentialItem, credentialItems, isJwt, madeUp, maskValue, requireCanaryAnswered, servedTo, splitCookie, strongest, tamper, tokenPlacement } from './forged.js';
import { knownSecret } from './known-secrets.js';

export const meta: CheckMeta = {
  id: 'WSG-AUTH-02',
  title: 'Forged, tampered or expired token accepted',
  area: 'AUTH',
  severity: 'critical',
  mode: 'safe',
  references: ['ASVS 9.1.1', 'ASVS 9.2.1', 'ASVS 7.2.1'],
  remediation: 'Verify token signatures with a pinned algorithm list (never `none`), and check exp/nbf/aud/iss with a small clock skew.',
  description: 'First, offline: the operator\'s JWT (HS256/384/512), Mojolicious session cookie or express-session cookie checked against well-known signing secrets (README examples, framework defaults such as Mojolicious\'s moniker, CVE-2024-58134): critical finding naming the secret, never the credential. Then with the operator token (--token), sent the way the baseline sends it: for a JWT one signature byte flipped and the JWT re-encoded with alg none; the expired token (--expired-token) and a token for another audience (--other-audience-token) if supplied. Critical finding when any is accepted (101 + canary data, or 101 where no credential gets 401/403). Then every opaque credential (a non-JWT token, each --cookie, each credential --header such as Authorization or X-Api-Key) with its last character changed and as a made-up value of the same shape: high finding when one is served (the canary answer, or one shaped like the operator\'s own that an anonymous client does not get; without --canary, a 101 where no credential gets 401/403, or a socket left open where no credential gets it closed), unless the request still works without that credential. With --canary, skipped when the operator\'s own connection gets no answer to it (matching --canary-expect): no control, no evidence.',
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

/** Every refused probe waits out the canary window: up to 4 token variants, 2 per credential, 3 comparisons. */
export function timeoutMs(o: AuditOptions): number {
  const probes = 4 + 2 * credentialItems(o.credentials, { opaqueTokenOnly: true }).length + 3;
  return Math.max(o.timeoutMs, probes * (o.canaryWaitMs + 1000));
}

export async function run(ctx: CheckContext): Promise<void> {
  const creds = ctx.options.credentials;
  const jwt = creds.token !== undefined && isJwt(creds.token);
  const items = credentialItems(creds, { opaqueTokenOnly: true, socketIo: ctx.options.protocol === 'socket.io' });
  if (!creds.token && items.length === 0) ctx.skip('needs the operator credential (--token, --cookie, or a credential --header such as Authorization or X-Api-Key)');
  // Offline first: a credential signed with a well-known secret is forgeable whatever the target answers.
  await wellKnownSecrets(ctx);
  await requireAuthEnforced(ctx);
  await requireCanaryAnswered(ctx);
  await tokenVariants(ctx, jwt);
  await opaqueVariants(ctx, items);
}

/** The operator's token and cookies, checked offline for a signature made with a well-known secret. */
async function wellKnownSecrets(ctx: CheckContext): Promise<void> {
  const { token, cookie } = ctx.options.credentials;
  const found: string[] = [];
  const t = token ? await knownSecret('token', 'token', token, ctx.target) : undefined;
  if (t) found.push(`the token (${t.scheme}) verifies with the secret "${t.secret}"`);
  for (const [name, value] of splitCookie(cookie ?? '').slice(0, 8)) {
    const c = await knownSecret('cookie', name, value, ctx.target);
    if (c) found.push(`cookie ${name} (${c.scheme}) verifies with the secret "${c.secret}"`);
  }
  if (found.length === 0) return;
  ctx.report({
    confidence: 'certain',
    title: 'Credential signed with a well-known secret',
    evidence: `Checked offline against the operator's own credential: ${found.join('; ')}. Anyone can sign one for any user (a framework default or an example from a README: Mojolicious signs with the app's moniker until secrets are set, CVE-2024-58134).`,
    remediation: 'Set a long random signing secret from the environment (never a default or an example), rotate it, and invalidate sessions signed with the old one.',
  });
}

/** JWT forgeries (critical): flipped signature, alg none; and the operator's expired / other-audience tokens. */
async function tokenVariants(ctx: CheckContext, jwt: boolean): Promise<void> {
  const creds = ctx.options.credentials;
  if (!creds.token) return;
  const variants: Array<[string, string]> = [];
  if (jwt) {
    variants.push(['signature byte flipped', flipSignature(creds.token)]);
    const none = algNone(creds.token);
    if (none) variants.push(['JWT with alg: none', none]);
  }
  if (ctx.options.expiredToken) variants.push(['expired token', ctx.options.expiredToken]);
  if (ctx.options.otherAudienceToken) variants.push(['token for another audience', ctx.options.otherAudienceToken]);
  const accepted: string[] = [];
  const levels: Confidence[] = [];
  for (const [label, token] of variants) {
    const p = await credentialAccepted(ctx, { credentials: { ...creds, token } });
    if (p.outcome === 'accepted') {
      accepted.push(`${label}: ${p.detail}`);
      levels.push(p.confidence);
    }
  }
  if (accepted.length) ctx.report({ confidence: strongest(levels), evidence: `Accepted forged credentials (sent ${tokenPlacement(creds, ctx.options.protocol === 'socket.io')}):\n${accepted.join('\n')}` });
}

/**
 * Opaque credentials (an opaque token, each cookie, each credential header), high: the last
 * character changed, and a made-up value of the same shape. A server that checks only a prefix
 * or the presence of a session cookie serves them.
 */
async function opaqueVariants(ctx: CheckContext, items: CredentialItem[]): Promise<void> {
  const served: string[] = [];
  const levels: Confidence[] = [];
  for (const item of items) {
    let needed: boolean | undefined;
    for (const { how, value } of [tamper(item.value), { how: 'made-up value', value: madeUp(item.value) }]) {
      const p = await servedTo(ctx, item.with(value));
      if (p.outcome !== 'accepted') continue;
      // With other credentials in the request, this one may not be what the server checks.
      const rest = item.without();
      needed ??= !hasAnyCredential(rest) || (await servedTo(ctx, rest)).outcome !== 'accepted';
      if (!needed) break;
      served.push(`${item.label}, ${how} (${maskValue(value)}) → ${p.detail}`);
      levels.push(p.confidence);
    }
  }
  if (served.length) {
    ctx.report({
      severity: 'high', confidence: strongest(levels),
      evidence: `Tampered or made-up credentials were served as the operator's own:\n${served.join('\n')}`,
    });
  }
}
