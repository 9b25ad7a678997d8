import { credentialAccepted, requireAuthEnforced } from '../../check-helpers.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-AUTH-03',
  title: 'Credential in URL query string',
  area: 'AUTH',
  severity: 'medium',
  mode: 'safe',
  references: ['ASVS 14.2.1', 'OWASP-CS', 'S13 ticket docs'],
  remediation: 'Do not accept long-lived tokens or API keys in the URL; use a header, a subprotocol entry, the first message, or a single-use short-lived ticket.',
  description: 'Looks for credential parameters (token, access_token, jwt, auth, apikey, api_key, key, session, sid, password) in the target URL and checks they work twice; then moves the operator token into ?token= and ?access_token= (with first-message auth, the auth message still goes out, with the token removed). Finding when a reusable credential in the query is accepted.',
};

const CREDENTIAL_PARAMS = ['token', 'access_token', 'jwt', 'auth', 'apikey', 'api_key', 'key', 'session', 'sid', 'password'];

/** Sends failing credentials: runs after the other checks (the target may throttle us). */
export const phase = 1;

export async function run(ctx: CheckContext): Promise<void> {
  const creds = ctx.options.credentials;
  const evidence: string[] = [];
  const inUrl = CREDENTIAL_PARAMS.filter((p) => ctx.target.searchParams.has(p) || (creds.tokenIn === 'query' && creds.token && creds.tokenParam === p));
  if (inUrl.length) {
    // Reusable = the same URL works twice.
    const first = await ctx.handshake();
    const second = await ctx.handshake();
    if (first.upgraded && second.upgraded) evidence.push(`The audited URL carries ${inUrl.join(', ')} and the same URL was accepted twice (not single-use).`);
  }
  if (creds.token && creds.tokenIn !== 'query') {
    await requireAuthEnforced(ctx);
    // First-message auth: the protocol still needs its auth message (graphql-ws closes 4401 on a
    // subscribe without connection_init), but with the token removed, so only the URL can
    // authenticate: the token left in the message made graphql-ws look as if it took ?token=.
    const authMessage = creds.authMessage === undefined ? undefined : creds.authMessage.split('{{token}}').join('').split(creds.token).join('');
    for (const param of ['token', 'access_token']) {
      const p = await credentialAccepted(ctx, { credentials: { ...creds, headers: {}, cookie: undefined, tokenIn: 'query', tokenParam: param, authMessage } });
      if (p.outcome === 'accepted') evidence.push(`Operator token moved to ?${param}=…: ${p.detail}`);
    }
  } else if (!inUrl.length) {
    ctx.skip('no credential in the URL and no token to move there (--token)');
  }
  if (evidence.length) ctx.report({ confidence: 'likely', evidence: evidence.join('\n') });
}
