/**
 * `POST /api/tickets` as a plain Node handler: `Authorization: Bearer <jwt>` in, `{ ticket, expiresIn }`
 * out, bound to the subject and the request's Origin (which must be allowed when present).
 * The caller routes; this handler answers whatever it is given.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { issueTicket, type IssuedTicket } from '../auth/tickets.js';
import type { Identity, TicketStore } from '../auth/types.js';
import { errorInfo, type ErrorCodeValue } from '../protocol/index.js';
import { bearerFromHeader, type Authenticator } from './authenticator.js';
import { clientIp } from './client-ip.js';
import type { SecurityEvent } from './events.js';
import { isAllowedOrigin } from './gate/origin.js';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TicketHandlerDeps {
  readonly authenticator: Authenticator;
  readonly tickets: TicketStore;
  readonly ttlMs: number;
  readonly origins: ReadonlySet<string>;
  readonly trustProxy: ReadonlySet<string>;
  readonly security: (event: SecurityEvent) => void;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
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

export function createTicketIssuer(deps: Pick<TicketHandlerDeps, 'tickets' | 'ttlMs'>) {
  return (identity: Identity, origin: string | null): Promise<IssuedTicket> => issueTicket(deps.tickets, identity, origin, deps.ttlMs);
}

export function createTicketHandler(deps: TicketHandlerDeps): HttpHandler {
  const issue = createTicketIssuer(deps);
  return (req, res) => {
    req.resume(); // the body is not used; drain it so the connection can be reused
    void (async () => {
      const ip = clientIp(req, deps.trustProxy);
      const refused = (reason: string) => deps.security({ kind: 'ticket_refused', reason, ip });
      if (req.method !== 'POST') return fail(res, 'invalid_message', 405, { Allow: 'POST' });
      const origin = req.headers.origin;
      if (origin !== undefined && !isAllowedOrigin(origin, deps.origins)) {
        refused('origin');
        return fail(res, 'forbidden');
      }
      if (deps.authenticator.isThrottled(ip)) {
        refused('auth_rate');
        return fail(res, 'rate_limited', 429, { 'Retry-After': String(deps.authenticator.retryAfterSec) });
      }
      const token = bearerFromHeader(req);
      if (token === undefined) {
        refused('no_credentials');
        return fail(res, 'unauthenticated', 401, { 'WWW-Authenticate': 'Bearer' });
      }
      let identity: Identity;
      try {
        identity = await deps.authenticator.verifyToken(token, 'bearer');
      } catch {
        deps.authenticator.recordFailure(ip);
        refused('invalid_token');
        return fail(res, 'invalid_token', 401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
      }
      json(res, 200, await issue(identity, origin ?? null));
    })().catch(() => {
      if (!res.headersSent) fail(res, 'internal');
      else res.destroy();
    });
  };
}
