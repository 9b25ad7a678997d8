/**
 * Bounds the replay work in flight on this node: at most `perConnection` replays of one connection
 * and `perUser` replays of one identity run at once; the others wait their turn in arrival order
 * (a client resubscribing its channels after a reconnect is served in order, not refused). At most
 * `queuePerUser` replays of one identity may wait: past it a replay is refused (`replay_limited`).
 */
export interface ReplayLimits {
  /** Replays of one connection running at once. */
  readonly perConnection: number;
  /** Replays of one identity (sub) running at once on this node, over all its connections. */
  readonly perUser: number;
  /** Replays of one identity waiting for a slot; past it subscribe answers `replay_limited`. */
  readonly queuePerUser: number;
}

export const DEFAULT_REPLAY_LIMITS: ReplayLimits = Object.freeze({ perConnection: 2, perUser: 4, queuePerUser: 256 });

export interface ReplaySlotsObserver {
  /** Running and waiting replays changed (for the gauges). */
  changed(active: number, waiting: number): void;
  /** A replay was refused because its identity's queue was full. */
  refused(): void;
}

interface Waiter {
  readonly conn: string;
  readonly grant: (release: () => void) => void;
}

interface UserSlots {
  active: number;
  readonly queue: Waiter[];
}

export class ReplaySlots {
  private readonly byConn = new Map<string, number>();
  private readonly byUser = new Map<string, UserSlots>();
  private active = 0;
  private waiting = 0;

  constructor(private readonly limits: ReplayLimits, private readonly observer: ReplaySlotsObserver) {}

  /**
   * Resolves with the slot's release (idempotent) once the replay may run; undefined when refused.
   * Every granted slot must be released, whatever the replay's outcome.
   */
  acquire(conn: string, sub: string): Promise<(() => void) | undefined> {
    let user = this.byUser.get(sub);
    if (!user) this.byUser.set(sub, (user = { active: 0, queue: [] }));
    if (user.queue.length >= this.limits.queuePerUser && !this.fits(conn, user)) {
      this.observer.refused();
      return Promise.resolve(undefined);
    }
    const u = user;
    return new Promise((resolve) => {
      u.queue.push({ conn, grant: resolve });
      this.waiting++;
      this.drain(sub, u);
      this.report();
    });
  }

  get stats(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting };
  }

  private fits(conn: string, user: UserSlots): boolean {
    return user.active < this.limits.perUser && (this.byConn.get(conn) ?? 0) < this.limits.perConnection;
  }

  private take(conn: string, sub: string, user: UserSlots): () => void {
    user.active++;
    this.byConn.set(conn, (this.byConn.get(conn) ?? 0) + 1);
    this.active++;
    this.report();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(conn, sub, user);
    };
  }

  private release(conn: string, sub: string, user: UserSlots): void {
    user.active--;
    this.active--;
    const n = (this.byConn.get(conn) ?? 1) - 1;
    if (n === 0) this.byConn.delete(conn);
    else this.byConn.set(conn, n);
    // Only this identity's waiters can use the freed slot (both limits are within one identity).
    this.drain(sub, user);
    this.forgetIfIdle(sub, user);
    this.report();
  }

  /** Grants waiting replays that fit now, in arrival order (one blocked by its connection's limit is passed over). */
  private drain(sub: string, user: UserSlots): void {
    for (let i = 0; i < user.queue.length && user.active < this.limits.perUser; i++) {
      const w = user.queue[i]!;
      if ((this.byConn.get(w.conn) ?? 0) >= this.limits.perConnection) continue;
      user.queue.splice(i--, 1);
      this.waiting--;
      w.grant(this.take(w.conn, sub, user));
    }
  }

  private forgetIfIdle(sub: string, user: UserSlots): void {
    if (user.active === 0 && user.queue.length === 0) this.byUser.delete(sub);
  }

  private report(): void {
    this.observer.changed(this.active, this.waiting);
  }
}
