/**
 * How many bytes a target may make the auditor hold. A hostile server can stream forever, send
 * an endless frame or flood tiny messages; each connection, each check and the whole audit have
 * a ceiling, and a connection that would cross one is dropped (its data so far is kept).
 * Counted: bytes received and retained (frames, messages, HTTP answers); released when the
 * check that holds them ends.
 */
export interface ByteLimits {
  /** Most bytes one connection may deliver (default 24 MiB: one 16 MiB frame plus slack). */
  perConnection: number;
  /** Most bytes all connections of one check may deliver (default 64 MiB). */
  perCheck: number;
  /** Most bytes every running check together may hold (default 128 MiB). */
  total: number;
}

export const DEFAULT_BYTE_LIMITS: ByteLimits = { perConnection: 24 * 1024 * 1024, perCheck: 64 * 1024 * 1024, total: 128 * 1024 * 1024 };

export class ByteLimitError extends Error {
  readonly code = 'AUDIT_BYTE_LIMIT';
}

/** The audit-wide count, shared by every check. */
export class AuditBytes {
  held = 0;
  /** Checks whose connections were dropped at a limit, with the limit's name. */
  readonly hits = new Map<string, string>();
  constructor(readonly limits: ByteLimits = DEFAULT_BYTE_LIMITS) {}

  forCheck(checkId: string): CheckBytes {
    return new CheckBytes(this, checkId);
  }
}

/** One check's count; `connection()` gives each connection its own meter. */
export class CheckBytes {
  held = 0;
  constructor(private readonly audit: AuditBytes, readonly checkId: string) {}

  connection(): ConnectionMeter {
    let own = 0;
    return {
      take: (n: number) => {
        const { limits } = this.audit;
        const over = own + n > limits.perConnection ? `${limits.perConnection} bytes on one connection`
          : this.held + n > limits.perCheck ? `${limits.perCheck} bytes in one check`
            : this.audit.held + n > limits.total ? `${limits.total} bytes held by the audit`
              : null;
        if (over) {
          if (!this.audit.hits.has(this.checkId)) this.audit.hits.set(this.checkId, over);
          return new ByteLimitError(`target sent more than ${over}: connection dropped`);
        }
        own += n;
        this.held += n;
        this.audit.held += n;
        return null;
      },
    };
  }

  /** The check ended: what it held is no longer referenced by the audit. */
  release(): void {
    this.audit.held -= this.held;
    this.held = 0;
  }
}

export interface ConnectionMeter {
  /** Counts `n` more bytes; returns the error to drop the connection with when a limit is crossed. */
  take(n: number): ByteLimitError | null;
}
