/**
 * The one bearer check every HTTP route uses (the guard's ticket endpoint, the hub's publish and
 * admin routes), so their answers cannot diverge:
 *   no token → 401 unauthenticated · bad/expired (past exp, clock tolerance or not)/revoked/too long-lived → 401 invalid_token (a failed attempt
 *   charged to the IP) · revocation store down → 503 unavailable + Retry-After (nothing charged).
 * Same rule as the WebSocket gate: only failures are throttled. An IP whose failed-auth bucket is empty
 * still has its credential verified; a valid one proceeds (users behind a shared NAT are not locked
 * out by an attacker on the same address), a failure answers 429 instead of 401.
 */
import type { IncomingMessage } from 'node:http';
import { TokenError } from '../auth/jwt.js';
import type { Identity } from '../auth/types.js';
import { WsguardError, type ErrorCodeValue } from '../protocol/index.js';
import { bearerFromHeader, type Authenticator } from './authenticator.js';

/** Seconds a client is told to wait when a store is down. */
export const UNAVAILABLE_RETRY_AFTER_SEC = 2;

export type HttpAuthResult =
  | { readonly ok: true; readonly identity: Identity }
  | {
      readonly ok: false;
      readonly status: 401 | 429 | 503;
      readonly code: ErrorCodeValue;
      readonly headers: Record<string, string>;
      /** For the security event: why (never the token). */
      readonly reason: 'auth_rate' | 'no_credentials' | 'invalid_token' | 'revoked' | 'auth_unavailable';
    };

function throttled(authenticator: Authenticator): Extract<HttpAuthResult, { ok: false }> {
  return { ok: false, status: 429, code: 'rate_limited', reason: 'auth_rate', headers: { 'Retry-After': String(authenticator.retryAfterSec) } };
}

export async function bearerAuth(authenticator: Authenticator, req: IncomingMessage, ip: string): Promise<HttpAuthResult> {
  const token = bearerFromHeader(req);
  if (token === undefined) {
    if (authenticator.isThrottled(ip)) return throttled(authenticator);
    return { ok: false, status: 401, code: 'unauthenticated', reason: 'no_credentials', headers: { 'WWW-Authenticate': 'Bearer' } };
  }
  try {
    return { ok: true, identity: await authenticator.verifyToken(token, 'bearer') };
  } catch (err) {
    if (err instanceof WsguardError && err.code === 'unavailable') return unavailable();
    if (!(err instanceof TokenError)) throw err;
    // Throttled before this attempt: the failure is answered 429 (the client should back off).
    const wasThrottled = authenticator.isThrottled(ip);
    authenticator.recordFailure(ip);
    if (wasThrottled) return throttled(authenticator);
    return {
      ok: false,
      status: 401,
      code: 'invalid_token',
      reason: err.reason === 'revoked' ? 'revoked' : 'invalid_token',
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    };
  }
}

/** Our outage, not the client's fault: 503 with Retry-After. */
export function unavailable(): Extract<HttpAuthResult, { ok: false }> {
  return { ok: false, status: 503, code: 'unavailable', reason: 'auth_unavailable', headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SEC) } };
}
