/** Small helpers shared by checks: baseline gate, the probe Origin, evidence formatting. */
import type { RawHandshakeResult } from './raw/raw-handshake.js';
import { hasAmbientCredential, hasAnyCredential } from './request-variant.js';
import type { AuthProbe, CheckContext, HandshakeVariant, Severity } from './types.js';

/** P in CHECKS.md: an RFC 2606 reserved name no one can own. */
export const PROBE_ORIGIN = 'https://wsguard-probe.example';

export function statusLine(r: RawHandshakeResult): string {
  return `HTTP ${r.response.status}${r.response.statusText ? ` ${r.response.statusText}` : ''}`;
}

/** Skips the check ("not applicable") unless the baseline handshake upgrades. */
export async function requireBaseline(ctx: CheckContext): Promise<RawHandshakeResult> {
  let r: RawHandshakeResult;
  try {
    r = await ctx.baseline();
  } catch (e) {
    return ctx.skip(`not applicable: baseline handshake failed (${(e as Error).message})`);
  }
  if (!r.upgraded) ctx.skip(`not applicable: baseline handshake got ${statusLine(r)}, not 101 (check --origin and credentials)`);
  return r;
}

/** Handshake shared by every check that asks the same question (memoised per audit). */
export function sharedHandshake(ctx: CheckContext, key: string, variant: HandshakeVariant): Promise<RawHandshakeResult> {
  return ctx.memo(`handshake:${key}`, () => ctx.handshake(variant));
}

export function foreignOriginProbe(ctx: CheckContext): Promise<RawHandshakeResult> {
  return sharedHandshake(ctx, `origin:${PROBE_ORIGIN}`, { origin: PROBE_ORIGIN });
}

/** For Origin look-alike checks: skip when any foreign Origin is accepted (ORIGIN-01 covers it). */
export async function requireForeignOriginRejected(ctx: CheckContext): Promise<void> {
  const p = await foreignOriginProbe(ctx);
  if (p.upgraded) ctx.skip(`any foreign Origin is accepted (Origin: ${PROBE_ORIGIN} got 101): see WSG-ORIGIN-01`);
}

/** CSWSH impact: ambient credentials let an attacker page act as the victim. */
export function cswshSeverity(ctx: CheckContext, ifAmbient: Severity = 'high'): Severity {
  const c = ctx.options.credentials;
  if (hasAmbientCredential(c)) return ifAmbient;
  return hasAnyCredential(c) ? 'medium' : 'info';
}

export function originsOf(ctx: CheckContext): URL[] {
  const out: URL[] = [];
  for (const o of ctx.options.allowedOrigins) {
    try {
      out.push(new URL(o));
    } catch {
      /* an unparsable allowed origin gives no variants */
    }
  }
  return out;
}

/** The no-credential probe, shared by the AUTH checks. */
export function anonymousProbe(ctx: CheckContext): Promise<AuthProbe> {
  return ctx.memo('auth:anonymous', () => ctx.probeAuth({ withCredentials: false }));
}

/**
 * Were these credentials accepted? Without a canary, a 101 counts as accepted (likely) when the
 * same handshake without credentials is refused at the HTTP level.
 */
export async function credentialAccepted(ctx: CheckContext, variant: HandshakeVariant): Promise<AuthProbe> {
  const p = await ctx.probeAuth(variant);
  if (p.outcome !== 'unknown') return p;
  const anon = await anonymousProbe(ctx);
  if (anon.outcome === 'rejected' && anon.detail.startsWith('HTTP')) {
    return { outcome: 'accepted', confidence: 'likely', detail: `101, while the handshake without credentials got ${anon.detail}` };
  }
  return p;
}

/** Skips unless the endpoint refuses anonymous clients (else forged credentials prove nothing). */
export async function requireAuthEnforced(ctx: CheckContext): Promise<AuthProbe> {
  const anon = await anonymousProbe(ctx);
  if (anon.outcome === 'accepted') ctx.skip('the endpoint serves clients without credentials (see WSG-AUTH-01)');
  if (anon.outcome === 'unknown') ctx.skip(`cannot tell whether credentials are enforced: ${anon.detail}`);
  return anon;
}

/** Base64url JSON segment of a JWT, or null. */
export function jwtPart(token: string, i: 0 | 1): Record<string, unknown> | null {
  const seg = token.split('.')[i];
  if (!seg) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

