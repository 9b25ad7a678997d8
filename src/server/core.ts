/** What the guard's parts share: resolved options, observability, auth, the pipeline and connection lifecycle. */
import type { Logger } from 'pino';
import type { Identity } from '../auth/types.js';
import type { Authenticator } from './authenticator.js';
import type { SecurityEvent } from './events.js';
import type { GuardMetrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import type { GuardConnection } from './connection.js';
import type { Deadlines } from './deadlines.js';
import type { PipelineStage } from './pipeline/types.js';

export interface GuardCore {
  readonly options: ResolvedOptions;
  readonly metrics: GuardMetrics;
  readonly logger: Logger;
  readonly authenticator: Authenticator;
  /** Emits, logs and counts a security event. */
  security(event: SecurityEvent): void;
  /** Every connection's pending deadline (auth deadline, expiry notice, expiry) behind one timer. */
  readonly deadlines: Deadlines<GuardConnection>;
  /** Message stages, in order. */
  readonly pipeline: readonly PipelineStage[];
  /** The socket of an accepted connection closed: release what it held, announce the disconnect. */
  connectionClosed(conn: GuardConnection, code: number, reason: Buffer): void;
  /** A first-message-auth connection just authenticated: apply the per-user cap, then announce it. */
  admit(conn: GuardConnection): Promise<boolean>;
  /** `auth.refresh` replaced the identity: tell the app (it re-checks what the old identity was granted). */
  refreshed(conn: GuardConnection, previous: Identity): void;
  /** Checks the connection's identity against the revocation store again; closes it when revoked. */
  recheckRevocation(conn: GuardConnection): Promise<void>;
}
