/**
 * Stage 'authenticate': one credential, in order of preference: single-use ticket (`?ticket=`),
 * `Authorization: Bearer`, `wsguard.bearer.<jwt>` subprotocol entry, then the app's cookie hook.
 * A JWT in the query string is refused outright (URLs end up in logs). Failed attempts drain a
 * per-IP bucket. When it is empty, a credential is still checked: a valid one is admitted (so one
 * attacker cannot lock out everyone behind the same address, a NAT or a balancer), and a failure
 * is answered 429 `auth_rate` instead of 401. Guessing stays pointless (signatures and 256-bit
 * tickets cannot be guessed) and its cost stays bounded by the handshake rate limit, which runs
 * first.
 */
import { TokenError } from '../../auth/jwt.js';
import { redeemTicket } from '../../auth/tickets.js';
import type { Identity, TicketStore } from '../../auth/types.js';
import { BEARER_SUBPROTOCOL_PREFIX, WsguardError } from '../../protocol/index.js';
import { bearerFromHeader, type Authenticator } from '../authenticator.js';
import type { CookieAuth } from '../options.js';
import { refuse, type GateStage, type HandshakeContext, type Refusal, type RefusalReason } from './types.js';

/** Query parameters that carry reusable credentials; their presence alone refuses the handshake. */
export const QUERY_CREDENTIALS = ['token', 'access_token', 'jwt', 'id_token', 'bearer', 'auth', 'apikey', 'api_key'];

/**
 * A JWT's shape (a base64url JSON header, three parts) anywhere in a query name or value, embedded
 * too (`state={"token":"eyJ…"}`, `next=https://…?token=eyJ…`): the URL, and so every access log
 * on the way, would hold the token.
 */
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/;

function queryCarriesCredential(params: URLSearchParams): boolean {
  for (const [name, value] of params) {
    if (QUERY_CREDENTIALS.includes(name) || JWT_SHAPE.test(value) || JWT_SHAPE.test(name)) return true;
    // Values nested once more (a URL in a parameter) are still percent-encoded inside.
    if (value.includes('%') && JWT_SHAPE.test(safeDecode(value))) return true;
  }
  return false;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface AuthenticateDeps {
  readonly authenticator: Authenticator;
  readonly tickets: TicketStore;
  readonly cookie: CookieAuth | undefined;
  readonly firstMessage: boolean;
}

export function authenticateStage(deps: AuthenticateDeps): GateStage {
  const fail = (ctx: HandshakeContext, reason: RefusalReason): Refusal => {
    // Throttled before this attempt: the failure is answered 429 (the client should back off).
    const throttled = deps.authenticator.isThrottled(ctx.ip);
    deps.authenticator.recordFailure(ctx.ip);
    if (throttled) return refuse(429, 'auth_rate', { 'Retry-After': String(deps.authenticator.retryAfterSec) });
    // RFC 6750's error attribute (as POST /api/tickets sends it): a client can tell refused credentials
    // from a network failure. The fixed codes say what kind of credential failed, never why.
    const error = reason === 'query_token' ? 'invalid_request' : 'invalid_token';
    return refuse(401, reason, { 'WWW-Authenticate': `Bearer error="${error}"` });
  };
  return {
    name: 'authenticate',
    // A store that cannot answer (Redis down: tickets, revocations) is our outage, not the
    // client's bad credential: 503 with Retry-After, and no failed attempt charged to the client.
    run: (ctx) =>
      authenticate(ctx).catch((err: unknown) => {
        if (err instanceof WsguardError && err.code === 'unavailable') return refuse(503, 'auth_unavailable', { 'Retry-After': '2' });
        throw err;
      }),
  };

  /** Ticket and cookie identities were verified elsewhere; only revocation is left to check. */
  async function admit(ctx: HandshakeContext, identity: Identity): Promise<Refusal | undefined> {
    try {
      deps.authenticator.assertOpensSession(identity);
      await deps.authenticator.assertNotRevoked(identity);
    } catch (err) {
      if (err instanceof WsguardError) throw err; // store unavailable: 503 above
      return fail(ctx, err instanceof TokenError && err.reason === 'expired' ? 'invalid_token' : 'revoked');
    }
    ctx.identity = identity;
    return undefined;
  }

  async function authenticate(ctx: HandshakeContext): Promise<Refusal | undefined> {
    const params = ctx.url.searchParams;
    if (queryCarriesCredential(params)) return fail(ctx, 'query_token');
    // No early refusal for a throttled address: only failures are throttled (see the module comment).

    const ticket = params.get('ticket');
    if (ticket !== null) {
      const identity = await redeemTicket(deps.tickets, ticket, ctx.origin ?? null);
      if (!identity) return fail(ctx, 'invalid_ticket');
      return admit(ctx, identity);
    }

    const bearer = bearerFromHeader(ctx.req);
    const fromProtocol = ctx.offeredProtocols.find((p) => p.startsWith(BEARER_SUBPROTOCOL_PREFIX));
    const token = bearer ?? fromProtocol?.slice(BEARER_SUBPROTOCOL_PREFIX.length);
    if (token !== undefined || ctx.req.headers.authorization !== undefined) {
      if (token === undefined) return fail(ctx, 'invalid_token'); // malformed Authorization header
      try {
        ctx.identity = await deps.authenticator.verifyToken(token, bearer !== undefined ? 'bearer' : 'subprotocol');
        return undefined;
      } catch (err) {
        if (err instanceof WsguardError) throw err;
        return fail(ctx, err instanceof TokenError && err.reason === 'revoked' ? 'revoked' : 'invalid_token');
      }
    }

    if (deps.cookie && ctx.req.headers.cookie !== undefined) {
      const found = await deps.cookie(ctx.req);
      if (!found) return fail(ctx, 'invalid_cookie');
      return admit(ctx, { ...found, method: 'cookie' });
    }

    return deps.firstMessage ? undefined : refuse(401, 'no_credentials', { 'WWW-Authenticate': 'Bearer' });
  }
}
