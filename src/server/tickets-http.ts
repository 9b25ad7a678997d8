/**
 * `POST /api/tickets` as a plain Node handler: `Authorization: Bearer <jwt>` in, `{ ticket, expiresIn }`
 * out, bound to the subject and the request's Origin (which must be allowed when present).
 * The caller routes; this handler answers whatever it is given.
 *
 * Minting costs the hub memory (or Redis memory) until the ticket is used or expires, so it is
 * limited: per client IP (before the token is verified), per subject, and by caps on outstanding
 * tickets per subject and in total. A ticket stores the identity's claims only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { issueTicket, TicketCapError, TicketExpiredError, type IssuedTicket } from '../auth/tickets.js';
import type { Identity, TicketIdentity, TicketLimits, TicketStore } from '../auth/types.js';
import { errorInfo, WsguardError, type ErrorCodeValue } from '../protocol/index.js';
import type { Authenticator } from './authenticator.js';
import { clientIp, type TrustProxy } from './client-ip.js';
import type { SecurityEvent } from './events.js';
import { hostCheck } from './gate/host.js';
import { originMatcher } from './gate/origin.js';
import { bearerAuth, unavailable } from './http-auth.js';
import { KeyedBuckets } from './token-bucket.js';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TicketHandlerDeps {
  readonly authenticator: Authenticator;
  readonly tickets: TicketStore;
  readonly ttlMs: number;
  readonly origins: ReadonlySet<string>;
  /** Allowed Host values (see gate/host.ts); undefined = the origins' hosts plus loopback. */
  readonly hosts: readonly string[] | undefined;
  readonly trustProxy: TrustProxy;
  readonly limits: { perIpPerMin: number; perUserPerMin: number; maxPerUser: number; maxTotal: number };
  readonly security: (event: SecurityEvent) => void;
  /** Counts refusals by reason (metrics). */
  readonly refused?: (reason: string) => void;
  /** Unexpected errors (answered 500 `internal`); logged by the guard. */
  readonly onError?: (err: unknown) => void;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

function fail(res: ServerResponse, code: ErrorCodeValue, status = errorInfo(code).status, headers?: Record<string, string>): void {
  json(res, status, { error: { code, message: errorInfo(code).message } }, headers);
}

export function createTicketIssuer(deps: { tickets: TicketStore; ttlMs: number; limits?: TicketLimits }) {
  return (identity: TicketIdentity, origin: string | null): Promise<IssuedTicket> => issueTicket(deps.tickets, identity, origin, deps.ttlMs, deps.limits);
}

export function createTicketHandler(deps: TicketHandlerDeps): HttpHandler {
  const { limits } = deps;
  const issue = createTicketIssuer({ tickets: deps.tickets, ttlMs: deps.ttlMs, limits: { perSubject: limits.maxPerUser, total: limits.maxTotal } });
  const perIp = new KeyedBuckets(limits.perIpPerMin / 60, Math.max(1, Math.ceil(limits.perIpPerMin)));
  const perUser = new KeyedBuckets(limits.perUserPerMin / 60, Math.max(1, Math.ceil(limits.perUserPerMin)));
  const retryIp = String(Math.max(1, Math.ceil(60 / limits.perIpPerMin)));
  const retryUser = String(Math.max(1, Math.ceil(60 / limits.perUserPerMin)));
  const host = hostCheck(deps.hosts, [...deps.origins]);
  const originAllowed = originMatcher(deps.origins);
  return (req, res) => {
    req.resume(); // the body is not used; drain it so the connection can be reused
    void (async () => {
      const ip = clientIp(req, deps.trustProxy);
      const refused = (reason: string) => {
        deps.refused?.(reason);
        deps.security({ kind: 'ticket_refused', reason, ip: ip ?? 'unknown' });
      };
      if (ip === undefined) {
        refused('bad_forwarded');
        return fail(res, 'invalid_message', 400);
      }
      const hostStatus = host(req);
      if (hostStatus !== undefined) {
        refused('host');
        return fail(res, hostStatus === 400 ? 'invalid_message' : 'forbidden', hostStatus);
      }
      if (req.method !== 'POST') return fail(res, 'invalid_message', 405, { Allow: 'POST' });
      const origin = req.headers.origin;
      if (origin !== undefined && !originAllowed(origin)) {
        refused('origin');
        return fail(res, 'forbidden');
      }
      // Credentials first: requests without a valid token are the failed-auth bucket's business and
      // must not spend the address's minting budget, or anyone sharing a NAT with the users (no account
      // needed) would lock them out of tickets, so out of the page.
      const auth = await bearerAuth(deps.authenticator, req, ip);
      if (!auth.ok) {
        refused(auth.reason);
        return fail(res, auth.code, auth.status, auth.headers);
      }
      const identity: Identity = auth.identity;
      if (!perUser.take(identity.sub)) {
        refused('ticket_rate_user');
        return fail(res, 'rate_limited', 429, { 'Retry-After': retryUser });
      }
      // The address's budget is spent by tickets issued, not by requests its own subject's limits
      // refuse: one account hammering past its own rate or cap must not lock out its NAT neighbours.
      if (!perIp.peek(ip)) {
        refused('ticket_rate_ip');
        return fail(res, 'rate_limited', 429, { 'Retry-After': retryIp });
      }
      let issued: IssuedTicket;
      try {
        issued = await issue(identity, origin ?? null);
      } catch (err) {
        if (err instanceof TicketCapError) {
          refused(err.cap === 'subject_cap' ? 'ticket_cap_user' : 'ticket_cap_total');
          // Per subject: this client's own doing (429). In total: the hub is full (503), for everyone.
          if (err.cap === 'subject_cap') return fail(res, 'rate_limited', 429, { 'Retry-After': String(Math.ceil(deps.ttlMs / 1000)) });
          return fail(res, 'unavailable', 503, { 'Retry-After': String(Math.ceil(deps.ttlMs / 1000)) });
        }
        if (err instanceof TicketExpiredError) {
          // Expired (a token inside the clock tolerance) or about to: no session can open with it, same answer as an expired token.
          refused('invalid_token');
          return fail(res, 'invalid_token', 401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
        }
        if (err instanceof WsguardError && err.code === 'unavailable') {
          refused('auth_unavailable');
          const u = unavailable();
          return fail(res, u.code, u.status, u.headers);
        }
        throw err;
      }
      perIp.take(ip);
      json(res, 200, issued);
    })().catch((err: unknown) => {
      deps.onError?.(err);
      if (!res.headersSent) fail(res, 'internal');
      else res.destroy();
    });
  };
}
