/**
 * The event log's background errors (Redis down, SQLite busy), logged so an outage is one line, not a
 * flood: the first occurrence of a message is logged at once, repeats within the interval are only
 * counted and logged as one `(repeated)` line with the count when the interval ends. A Redis outage
 * otherwise wrote a line per failed command and reconnect attempt (45 lines in 20 s for one node
 * with one subscriber).
 */
import type { Logger } from 'pino';

/** At most this many distinct messages are tracked per interval; the rest are counted together. */
const MAX_MESSAGES = 32;

export class BackendErrorLog {
  private readonly seen = new Map<string, number>();
  private other = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly logger: Logger, private readonly intervalMs = 10_000) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  record(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const count = this.seen.get(message);
    if (count !== undefined) return void this.seen.set(message, count + 1);
    if (this.seen.size >= MAX_MESSAGES) return void this.other++;
    this.seen.set(message, 0);
    this.logger.error({ err: message }, 'event log error');
  }

  /** Ends the interval: one line per message that repeated, with its count. */
  flush(): void {
    for (const [message, repeated] of this.seen) if (repeated > 0) this.logger.error({ err: message, repeated, intervalMs: this.intervalMs }, 'event log error (repeated)');
    if (this.other > 0) this.logger.error({ repeated: this.other, intervalMs: this.intervalMs }, 'event log error (repeated, other messages)');
    this.seen.clear();
    this.other = 0;
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
