/**
 * Who a connection is, and the stores auth needs. Implementations beside this file:
 * memory (single node) and redis (cluster).
 */
export interface Permissions {
  readonly subscribe: readonly string[];
  readonly publish: readonly string[];
}

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

export interface TicketRecord {
  readonly identity: Identity;
  /** Origin that asked for the ticket; the upgrade must come from the same Origin. */
  readonly origin: string | null;
  readonly expiresAt: number;
}

export interface TicketStore {
  put(ticket: string, record: TicketRecord, ttlMs: number): Promise<void>;
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
