/**
 * Single-use handshake tickets: 256-bit random, short-lived, bound to the subject and the Origin
 * that asked for them. The ticket never outlives the token it was minted from.
 */
import { randomBytes } from 'node:crypto';
import type { Identity, TicketStore } from './types.js';

export const TICKET_BYTES = 32;
/** base64url of 32 bytes. */
export const TICKET_RE = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedTicket {
  readonly ticket: string;
  /** Seconds until it expires. */
  readonly expiresIn: number;
}

export async function issueTicket(store: TicketStore, identity: Identity, origin: string | null, ttlMs: number): Promise<IssuedTicket> {
  const now = Date.now();
  const lifeMs = identity.exp !== undefined ? Math.min(ttlMs, identity.exp * 1000 - now) : ttlMs;
  if (lifeMs <= 0) throw new Error('token already expired');
  const ticket = randomBytes(TICKET_BYTES).toString('base64url');
  await store.put(ticket, { identity, origin, expiresAt: now + lifeMs }, lifeMs);
  return { ticket, expiresIn: Math.max(1, Math.floor(lifeMs / 1000)) };
}

/** Redeems a ticket: once, before expiry, from the Origin it was issued to. */
export async function redeemTicket(store: TicketStore, ticket: string, origin: string | null): Promise<Identity | undefined> {
  if (!TICKET_RE.test(ticket)) return undefined;
  const record = await store.take(ticket); // consumed even when the origin is wrong: a stolen ticket burns
  if (!record || record.expiresAt <= Date.now() || record.origin !== origin) return undefined;
  return { ...record.identity, method: 'ticket' };
}
