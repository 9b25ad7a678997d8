/** Token bucket: `burst` tokens, refilled continuously at `perSec`. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(private readonly perSec: number, private readonly burst: number, now = Date.now()) {
    this.tokens = burst;
    this.last = now;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSec);
    this.last = now;
  }

  /** Takes one token; false when empty. */
  take(now = Date.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Takes one token for an event that happened at some time in [earliest, latest] (not known
   * exactly): placed at the first time in that window, not before the previous charge, at which a
   * token is there. False (nothing taken) when there is none even at `latest`.
   */
  takeWithin(earliest: number, latest: number): boolean {
    const at = Math.max(this.last, earliest);
    if (at >= latest) return this.take(Math.max(this.last, latest));
    this.refill(at);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    // The next token is due at `due`: charge the event then, if the window reaches that far.
    const due = at + ((1 - this.tokens) / this.perSec) * 1000;
    if (due > latest) {
      this.refill(latest);
      return false;
    }
    this.tokens = 0;
    this.last = due;
    return true;
  }

  /** True when at least one token is available (does not take it). */
  peek(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= 1;
  }

  /** Full again: nothing to remember about this key. */
  isFull(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }
}

/**
 * Token buckets by key (client IP) with bounded memory: at most `maxKeys` entries; full buckets
 * are forgotten first, and when still over, the oldest entries go (a flood of spoofed-looking keys
 * cannot grow the map without bound).
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();
  constructor(private readonly perSec: number, private readonly burst: number, private readonly maxKeys = 10_000) {}

  private get(key: string, now: number): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.prune(now);
      b = new TokenBucket(this.perSec, this.burst, now);
      this.buckets.set(key, b);
    }
    return b;
  }

  take(key: string, now = Date.now()): boolean {
    return this.get(key, now).take(now);
  }

  peek(key: string, now = Date.now()): boolean {
    return this.buckets.get(key)?.peek(now) ?? true;
  }

  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (b.isFull(now)) this.buckets.delete(k);
    for (const k of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(k);
    }
  }
}
