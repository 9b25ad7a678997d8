/**
 * Who a connection is, and the stores auth needs. Implementations beside this file:
 * memory (single node) and redis (cluster).
 */
export interface Permissions {
  readonly subscribe: readonly string[];
  readonly publish: readonly string[];
  /** Admin rights (see ADMIN_PERMISSIONS); absent or empty for ordinary users. */
  readonly admin?: readonly string[];
}

/**
 * Admin permissions a token may carry in `perms.admin`:
 *   `revoke`: may call `POST /api/revocations` (revoke any `sub` or `jti`).
 */
export const ADMIN_PERMISSIONS = ['revoke'] as const;
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number];

export interface Identity {
  readonly sub: string;
  /** Token id when the token had one (used for revocation by jti). */
  readonly jti?: string;
  /** Expiry, seconds since the epoch; undefined for sessions without one (cookie hook). */
  readonly exp?: number;
  /** Issued-at, seconds since the epoch, when the token had one (revocation by sub refuses tokens issued before it). */
  readonly iat?: number;
  readonly perms: Permissions;
  /** How the connection authenticated. */
  readonly method: 'ticket' | 'bearer' | 'subprotocol' | 'cookie';
}

/** What a ticket carries: the identity's claims, nothing else (not the token, not app extras). */
export type TicketIdentity = Pick<Identity, 'sub' | 'jti' | 'exp' | 'iat' | 'perms'>;

export interface TicketRecord {
  readonly identity: TicketIdentity;
  /** Origin that asked for the ticket; the upgrade must come from the same Origin. */
  readonly origin: string | null;
  readonly expiresAt: number;
}

/** Caps on unredeemed, unexpired tickets (cluster-wide for a shared store). */
export interface TicketLimits {
  readonly perSubject: number;
  readonly total: number;
}

/** `ok`, or which cap refused the ticket (nothing was stored). */
export type PutResult = 'ok' | 'subject_cap' | 'total_cap';

export interface TicketStore {
  /** Stores the ticket unless a cap in `limits` is reached. */
  put(ticket: string, record: TicketRecord, ttlMs: number, limits?: TicketLimits): Promise<PutResult>;
  /** Unredeemed, unexpired tickets (for the metrics gauge). */
  outstanding?(): Promise<number>;
  /** Returns the record and deletes it atomically: a ticket works once, cluster-wide. */
  take(ticket: string): Promise<TicketRecord | undefined>;
  close(): Promise<void>;
}

export type RevocationTarget = { sub: string } | { jti: string };

export interface RevocationStore {
  /** Records the revocation until `untilSec` (the longest a matching token can live) and tells every node. */
  revoke(target: RevocationTarget, untilSec: number): Promise<void>;
  isRevoked(identity: Pick<Identity, 'sub' | 'jti'>, issuedAtSec?: number): Promise<boolean>;
  /** Called on every node, for revocations made on any node. */
  onRevoke(listener: (target: RevocationTarget) => void): void;
  close(): Promise<void>;
}

/**
 * Concurrent-connection slots per key (e.g. per user), counted across every node of a cluster.
 * Implementations: memory (single node) and redis (cluster).
 */
export interface ConnectionCounter {
  /** Takes one slot for `key` when fewer than `limit` are held; false when the cap is reached. */
  acquire(key: string, limit: number): Promise<boolean>;
  /** Gives back one slot taken by `acquire` on this instance. */
  release(key: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * `{ ...claims, method }` built from literals of fixed shape. An object spread plus one property
 * gave every identity a hidden class of its own (a Map and its DescriptorArray, about 250 bytes
 * per connection in a heap snapshot); literals share one per shape.
 */
export function withMethod(claims: TicketIdentity, method: Identity['method']): Identity {
  const { sub, jti, exp, iat, perms } = claims;
  if (exp !== undefined && iat !== undefined) return jti === undefined ? { sub, exp, iat, perms, method } : { sub, jti, exp, iat, perms, method };
  return { ...claims, method }; // identities without exp or iat (apps' own): rare, shape does not matter
}
