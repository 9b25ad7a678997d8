/**
 * Paces one kind of request on a connection (the client's publishes): at most `maxInFlight` sent and
 * unanswered, sent no faster than a token bucket (`burst`, refilled at `perSec`), the rest waiting here
 * in call order, at most `maxWaiting` of them. Without it a bulk publish (200 × publish() at once)
 * overflowed the hub's per-connection queue (maxQueued) and message budget: `rate_limited` refusals,
 * then a 1008 close that left every publish in flight with an unknown outcome.
 */
import { ClientError } from './errors.js';

export interface PacerLimits {
  maxInFlight: number;
  burst: number;
  perSec: number;
  maxWaiting: number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (err: ClientError) => void;
}

export class Pacer {
  private inFlight = 0;
  private tokens: number;
  private tokensAt = Date.now();
  private readonly waiting: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly limits: PacerLimits) {
    this.tokens = limits.burst;
  }

  /** Requests waiting for their turn (not yet handed to the connection). */
  get size(): number {
    return this.waiting.length;
  }

  /**
   * Resolves with a release function when the caller may send; call it once the request is settled
   * (answered, failed or timed out). Rejects with `publish_queue_full` when `maxWaiting` already wait.
   */
  acquire(): Promise<() => void> {
    if (this.waiting.length >= this.limits.maxWaiting) {
      return Promise.reject(new ClientError('publish_queue_full', `more than ${this.limits.maxWaiting} publishes waiting to be sent; wait for earlier ones to settle`));
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.drain();
    });
  }

  /** A new connection has a new budget on the server. */
  resetBudget(): void {
    this.tokens = this.limits.burst;
    this.tokensAt = Date.now();
    this.drain();
  }

  /** Rejects every waiting request (the client is closed). */
  clear(err: ClientError): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.inFlight < this.limits.maxInFlight && this.takeToken()) {
      this.inFlight += 1;
      let released = false;
      this.waiting.shift()!.resolve(() => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
        this.drain();
      });
    }
    // Out of tokens (not of in-flight slots, which a release refills): come back when one is there.
    if (this.waiting.length > 0 && this.inFlight < this.limits.maxInFlight && this.timer === undefined) {
      const wait = Math.max(1, Math.ceil(((1 - this.tokens) / this.limits.perSec) * 1000));
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, wait);
    }
  }

  private takeToken(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.tokensAt) / 1000) * this.limits.perSec);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
