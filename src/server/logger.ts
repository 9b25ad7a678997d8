/**
 * pino with secrets redacted. wsguard never logs credentials on purpose (events carry none, URLs are
 * logged as pathnames), and these paths catch the rest: an app logging a request or a payload.
 */
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'cookie', '*.cookie', 'headers.cookie', '*.headers.cookie', 'set-cookie', '*.headers["set-cookie"]',
  'headers["sec-websocket-protocol"]', '*.headers["sec-websocket-protocol"]',
  'token', '*.token', 'ticket', '*.ticket', 'secret', '*.secret', 'password', '*.password',
  'url', '*.url', 'query', '*.query',
];

export function createLogger(): Logger {
  return pino({ name: 'wsguard', level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

/** The guard's own child logger; redaction applies to an injected logger as well. */
export function guardLogger(base: Logger | undefined): Logger {
  return (base ?? createLogger()).child({ component: 'wsguard' }, { redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

/** What SecurityLog needs of an event: its kind, and optionally a reason and a client address. */
interface LoggedEvent {
  readonly kind: string;
  readonly reason?: string;
  readonly ip?: string;
}

export interface SecurityLogOptions {
  /** One line per source and reason per interval (ms), after the first. */
  readonly intervalMs: number;
  /** Distinct (source, kind, reason) keys remembered per interval; past it they share one line per kind and reason. */
  readonly maxSources: number;
}

/**
 * Log volume bounded by design, not by the attacker: the first security event of a kind and
 * reason from one client address in an interval is logged as it happens; repeats in the same
 * interval are only counted, and logged as one `(repeated)` line with the count when the
 * interval ends. So per source and reason there are at most two lines per interval, and at most
 * about 2 × maxSources lines per interval in all. Metrics and the 'security' event still see
 * every event (the guard counts before it logs).
 */
export class SecurityLog {
  private readonly seen = new Map<string, { kind: string; reason: string | undefined; ip: string | undefined; count: number }>();
  private readonly overflow = new Map<string, { kind: string; reason: string | undefined; count: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly logger: Logger, private readonly opts: SecurityLogOptions) {
    this.timer = setInterval(() => this.flush(), opts.intervalMs);
    this.timer.unref();
  }

  record(event: LoggedEvent): void {
    const key = `${event.kind}\u0000${event.reason ?? ''}\u0000${event.ip ?? ''}`;
    const seen = this.seen.get(key);
    if (seen) {
      seen.count++;
      return;
    }
    if (this.seen.size >= this.opts.maxSources) {
      const okey = `${event.kind}\u0000${event.reason ?? ''}`;
      const o = this.overflow.get(okey);
      if (o) o.count++;
      else this.overflow.set(okey, { kind: event.kind, reason: event.reason, count: 1 });
      return;
    }
    this.seen.set(key, { kind: event.kind, reason: event.reason, ip: event.ip, count: 0 });
    this.logger.warn({ security: event }, `security: ${event.kind}`);
  }

  /** Ends the interval: one line per key that repeated, with its count. */
  flush(): void {
    const intervalMs = this.opts.intervalMs;
    for (const s of this.seen.values()) {
      if (s.count === 0) continue;
      const security = { kind: s.kind, ...(s.reason !== undefined ? { reason: s.reason } : {}), ...(s.ip !== undefined ? { ip: s.ip } : {}) };
      this.logger.warn({ security, repeated: s.count, intervalMs }, `security: ${s.kind} (repeated)`);
    }
    for (const o of this.overflow.values()) {
      const security = { kind: o.kind, ...(o.reason !== undefined ? { reason: o.reason } : {}) };
      this.logger.warn({ security, repeated: o.count, intervalMs, sources: 'many' }, `security: ${o.kind} (repeated, many sources)`);
    }
    this.seen.clear();
    this.overflow.clear();
  }

  /** Stops the timer and writes what is pending. */
  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
