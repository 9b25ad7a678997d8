/**
 * Single-use handshake tickets: 256-bit random, short-lived, bound to the subject and the Origin
 * that asked for them. The ticket never outlives the token it was minted from.
 */
import { randomFillSync } from 'node:crypto';
import { withMethod, type Identity, type TicketIdentity, type TicketLimits, type TicketStore } from './types.js';

export const TICKET_BYTES = 32;
/** base64url of 32 bytes. */
export const TICKET_RE = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedTicket {
  readonly ticket: string;
  /** Seconds until it expires. */
  readonly expiresIn: number;
}

/** A ticket was not issued because a cap on outstanding tickets is reached. */
export class TicketCapError extends Error {
  constructor(readonly cap: 'subject_cap' | 'total_cap') {
    super(`ticket refused: ${cap}`);
    this.name = 'TicketCapError';
  }
}

/** The token expires within a second (or has expired): no session can be opened with a ticket for it. */
export class TicketExpiredError extends Error {
  constructor() {
    super('ticket refused: token expired');
    this.name = 'TicketExpiredError';
  }
}

// Tickets come from a pooled CSPRNG buffer: one randomFillSync (a getrandom syscall) per 64
// tickets instead of one per ticket (same 256 random bits each; the bytes never serve twice).
const pool = Buffer.alloc(TICKET_BYTES * 64);
let poolOffset = pool.length;

function newTicket(): string {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const ticket = pool.toString('base64url', poolOffset, poolOffset + TICKET_BYTES);
  pool.fill(0, poolOffset, poolOffset + TICKET_BYTES); // a served ticket's bytes do not stay behind
  poolOffset += TICKET_BYTES;
  return ticket;
}

/** Only what the upgrade needs: the claims, copied (no token, no extra fields an app's identity may have). */
function ticketIdentity(identity: TicketIdentity): TicketIdentity {
  const perms = {
    subscribe: [...identity.perms.subscribe],
    publish: [...identity.perms.publish],
    ...(identity.perms.admin?.length ? { admin: [...identity.perms.admin] } : {}),
  };
  return {
    sub: identity.sub,
    perms,
    ...(identity.jti !== undefined ? { jti: identity.jti } : {}),
    ...(identity.exp !== undefined ? { exp: identity.exp } : {}),
    ...(identity.iat !== undefined ? { iat: identity.iat } : {}),
  };
}

/**
 * Throws TicketCapError when `limits` are reached, TicketExpiredError when the token is (nearly) past
 * `exp` (like the WebSocket gate, which opens no session with an expired token, clock tolerance or
 * not); store errors (`unavailable`) pass through. The ticket never outlives the token.
 */
export async function issueTicket(
  store: TicketStore,
  identity: TicketIdentity,
  origin: string | null,
  ttlMs: number,
  limits?: TicketLimits,
): Promise<IssuedTicket> {
  const now = Date.now();
  let lifeMs = ttlMs;
  if (identity.exp !== undefined) {
    if (identity.exp * 1000 - now < 1000) throw new TicketExpiredError();
    lifeMs = Math.min(ttlMs, identity.exp * 1000 - now);
  }
  const ticket = newTicket();
  const result = await store.put(ticket, { identity: ticketIdentity(identity), origin, expiresAt: now + lifeMs }, lifeMs, limits);
  // A store written before caps existed answers nothing: stored.
  if (result === 'subject_cap' || result === 'total_cap') throw new TicketCapError(result);
  return { ticket, expiresIn: Math.max(1, Math.floor(lifeMs / 1000)) };
}

/** Redeems a ticket: once, before expiry, from the Origin it was issued to. */
export async function redeemTicket(store: TicketStore, ticket: string, origin: string | null): Promise<Identity | undefined> {
  if (!TICKET_RE.test(ticket)) return undefined;
  const record = await store.take(ticket); // consumed even when the origin is wrong: a stolen ticket burns
  if (!record || record.expiresAt <= Date.now() || record.origin !== origin) return undefined;
  return withMethod(record.identity, 'ticket');
}
