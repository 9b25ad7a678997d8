/** Reconnect delays: exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"). */
export interface BackoffOptions {
  /** Ceiling of the first delay. */
  initialMs: number;
  /** Largest delay ever used. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/**
 * Delay before reconnect attempt number `attempt` (0-based): uniform in [0, min(maxMs, initialMs * 2^attempt)).
 * Full jitter spreads a crowd of clients dropped by one server restart, so they do not come back in lockstep.
 * `random` returns [0, 1), like Math.random; tests pass a seeded one.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(Math.max(attempt, 0), 52));
  return Math.floor(random() * ceiling);
}
