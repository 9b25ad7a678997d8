import { jwtPart } from '../../check-helpers.js';
import { isProtectedData } from '../../canary.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-SESSION-02',
  title: 'Socket outlives credential expiry',
  area: 'SESSION',
  severity: 'medium',
  mode: 'safe',
  references: ['ASVS 9.2.1', 'ASVS 7.3.2', 'OWASP-CS'],
  remediation: 'Store the credential expiry on the connection and close it (1008, "session expired") at exp unless the client refreshed its token.',
  description: 'With a short-lived JWT (--short-token, exp ≤ 5 min): connects with it, keeps the socket open until exp + --session-grace (default 15 s, 60 s with --thorough), then sends the canary. Finding when the socket is still open and serving (tentative without --canary).',
};

const MAX_WAIT_MS = 5 * 60_000;

function expiryMs(token: string | undefined): number | null {
  const exp = token ? jwtPart(token, 1)?.exp : undefined;
  return typeof exp === 'number' ? exp * 1000 : null;
}

/** A long observation: runs beside the other checks (see CheckModule.background). */
export const background = true;

export function timeoutMs(o: AuditOptions): number {
  const exp = expiryMs(o.shortToken);
  return exp === null ? 0 : Math.min(MAX_WAIT_MS, Math.max(0, exp - Date.now())) + o.sessionGraceMs + o.canaryWaitMs + 20_000;
}

export async function run(ctx: CheckContext): Promise<void> {
  const { shortToken, canary, canaryExpect, sessionGraceMs, canaryWaitMs, credentials } = ctx.options;
  if (!shortToken) ctx.skip('needs a short-lived token (--short-token)');
  const exp = expiryMs(shortToken);
  if (exp === null) ctx.skip('--short-token is not a JWT with exp');
  if (exp - Date.now() > MAX_WAIT_MS) ctx.skip('--short-token expires in more than 5 minutes');
  if (exp <= Date.now()) ctx.skip('--short-token has already expired');
  const r = await ctx.connect({ credentials: { ...credentials, token: shortToken } });
  if (!r.ok) ctx.skip(`connection with the short token failed (${r.status ?? r.error})`);
  const s = r.socket;
  await ctx.sleep(exp - Date.now() + sessionGraceMs);
  if (s.closed) return;
  if (!canary) {
    ctx.report({ confidence: 'tentative', evidence: `The socket authenticated with a token that expired ${sessionGraceMs} ms earlier is still open (no --canary to show it still serves data).` });
    return;
  }
  const from = s.messages.length;
  s.send(canary);
  const hit = await s.waitFor(isProtectedData(ctx.options), canaryWaitMs, from);
  if (hit !== null && !s.closed) {
    ctx.report({ confidence: canaryExpect ? 'certain' : 'tentative', evidence: `${sessionGraceMs} ms after the token's exp the socket still answered the canary: ${hit.slice(0, 200)}` });
  }
}
