/**
 * Single-node TicketStore and RevocationStore. Bounded: expired entries are swept on a timer
 * (unref'd) and on every write, so an attacker minting tickets cannot grow memory past TTL × rate.
 */
import type { ConnectionCounter, Identity, PutResult, RevocationStore, RevocationTarget, TicketLimits, TicketRecord, TicketStore } from './types.js';

const SWEEP_MS = 10_000;

export class MemoryTicketStore implements TicketStore {
  private readonly tickets = new Map<string, { record: TicketRecord; until: number }>();
  /** Outstanding tickets per subject, for TicketLimits.perSubject. */
  private readonly bySub = new Map<string, number>();
  private readonly timer = setInterval(() => this.sweep(), SWEEP_MS).unref();

  async put(ticket: string, record: TicketRecord, ttlMs: number, limits?: TicketLimits): Promise<PutResult> {
    const sub = record.identity.sub;
    if (limits) {
      if (this.tickets.size >= limits.total) this.sweep();
      if (this.tickets.size >= limits.total) return 'total_cap';
      if ((this.bySub.get(sub) ?? 0) >= limits.perSubject) {
        this.sweep();
        if ((this.bySub.get(sub) ?? 0) >= limits.perSubject) return 'subject_cap';
      }
    }
    this.tickets.set(ticket, { record, until: Date.now() + ttlMs });
    this.bySub.set(sub, (this.bySub.get(sub) ?? 0) + 1);
    return 'ok';
  }

  async take(ticket: string): Promise<TicketRecord | undefined> {
    const entry = this.tickets.get(ticket);
    if (!entry) return undefined;
    this.remove(ticket, entry.record);
    if (entry.until <= Date.now()) return undefined;
    return entry.record;
  }

  get size(): number {
    return this.tickets.size;
  }

  async outstanding(): Promise<number> {
    this.sweep();
    return this.tickets.size;
  }

  private remove(ticket: string, record: TicketRecord): void {
    this.tickets.delete(ticket);
    const n = (this.bySub.get(record.identity.sub) ?? 1) - 1;
    if (n <= 0) this.bySub.delete(record.identity.sub);
    else this.bySub.set(record.identity.sub, n);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, v] of this.tickets) if (v.until <= now) this.remove(k, v.record);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.tickets.clear();
    this.bySub.clear();
  }
}

export class MemoryRevocationStore implements RevocationStore {
  /** sub → { revokedAt, until } (seconds). Tokens for that sub issued at or before revokedAt are refused. */
  private readonly subs = new Map<string, { revokedAt: number; until: number }>();
  private readonly jtis = new Map<string, number>();
  private readonly listeners: ((target: RevocationTarget) => void)[] = [];
  private readonly timer = setInterval(() => this.sweep(), SWEEP_MS).unref();

  async revoke(target: RevocationTarget, untilSec: number): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    // Revoking again never shortens a revocation (same rule as the Redis store).
    if ('sub' in target) this.subs.set(target.sub, { revokedAt: now, until: Math.max(untilSec, this.subs.get(target.sub)?.until ?? 0) });
    else this.jtis.set(target.jti, Math.max(untilSec, this.jtis.get(target.jti) ?? 0));
    for (const l of this.listeners) l(target);
  }

  async isRevoked(identity: Pick<Identity, 'sub' | 'jti'>, issuedAtSec?: number): Promise<boolean> {
    const now = Math.floor(Date.now() / 1000);
    if (identity.jti !== undefined) {
      const until = this.jtis.get(identity.jti);
      if (until !== undefined && until > now) return true;
    }
    const bySub = this.subs.get(identity.sub);
    if (!bySub || bySub.until <= now) return false;
    // A token without iat cannot prove it was issued after the revocation.
    return issuedAtSec === undefined || issuedAtSec <= bySub.revokedAt;
  }

  onRevoke(listener: (target: RevocationTarget) => void): void {
    this.listeners.push(listener);
  }

  private sweep(): void {
    const now = Math.floor(Date.now() / 1000);
    for (const [k, v] of this.subs) if (v.until <= now) this.subs.delete(k);
    for (const [k, v] of this.jtis) if (v <= now) this.jtis.delete(k);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.listeners.length = 0;
  }
}

export class MemoryConnectionCounter implements ConnectionCounter {
  private readonly held = new Map<string, number>();

  async acquire(key: string, limit: number): Promise<boolean> {
    const n = this.held.get(key) ?? 0;
    if (n >= limit) return false;
    this.held.set(key, n + 1);
    return true;
  }

  async release(key: string): Promise<void> {
    const n = (this.held.get(key) ?? 0) - 1;
    if (n <= 0) this.held.delete(key);
    else this.held.set(key, n);
  }

  async close(): Promise<void> {
    this.held.clear();
  }
}
