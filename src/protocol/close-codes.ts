/**
 * WebSocket close codes wsguard sends, with what a client should do next.
 * One registry: the server closes only with these, the client decides retry from `retry`,
 * and docs/protocol.md is checked against this table by a test.
 *
 * retry:
 *  - 'no'      do not reconnect automatically (a bug or a policy decision; reconnecting repeats it)
 *  - 'backoff' reconnect with exponential backoff and resume from the last seq
 *  - 'reauth'  reconnect only with fresh credentials (new token or ticket)
 *  - 'resume'  reconnect (with backoff) only when the client still has something to resume: live
 *              subscriptions or requests waiting; otherwise stay disconnected until the app needs the
 *              connection again (the server closed an idle connection, nothing is lost)
 */
export type RetryPolicy = 'no' | 'backoff' | 'reauth' | 'resume';

export interface CloseCodeInfo {
  readonly code: number;
  readonly name: string;
  readonly retry: RetryPolicy;
  readonly description: string;
}

export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  TRY_AGAIN_LATER: 1013,
  UNAUTHENTICATED: 4401,
  FORBIDDEN: 4403,
  IDLE_TIMEOUT: 4408,
} as const;
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

export const CLOSE_CODES: readonly CloseCodeInfo[] = [
  { code: 1000, name: 'normal', retry: 'no', description: 'Normal closure.' },
  { code: 1001, name: 'going_away', retry: 'backoff', description: 'Server shutting down or restarting; reconnect (to any node) and resume.' },
  { code: 1002, name: 'protocol_error', retry: 'no', description: 'RFC 6455 framing violation (unmasked frame, reserved bits, bad opcode).' },
  { code: 1003, name: 'unsupported_data', retry: 'no', description: 'Binary frame where only text is allowed.' },
  { code: 1007, name: 'invalid_payload', retry: 'no', description: 'Text frame that is not valid UTF-8.' },
  { code: 1008, name: 'policy_violation', retry: 'reauth', description: 'Repeated violations, expired or revoked credentials; reason says which.' },
  { code: 1009, name: 'message_too_big', retry: 'no', description: 'Message larger than the configured maximum payload.' },
  { code: 1011, name: 'internal_error', retry: 'backoff', description: 'Unexpected server condition.' },
  { code: 1013, name: 'try_again_later', retry: 'backoff', description: 'Overload or slow consumer (send buffer above its high-water mark).' },
  { code: 4401, name: 'unauthenticated', retry: 'reauth', description: 'No valid credentials before the authentication deadline.' },
  { code: 4403, name: 'forbidden', retry: 'no', description: 'Authenticated, but not allowed to keep this connection.' },
  // Private-use code (4000-4999), 408 as in HTTP's Request Timeout. Not 1000: a client treats 1000 as final,
  // and a connection the server closed for idleness may still matter to the client (a subscription
  // whose subscribe was in flight, a request queued a moment ago): 'resume' lets it come back then.
  { code: 4408, name: 'idle_timeout', retry: 'resume', description: 'Idle: no subscription and no message either way for the idle timeout (`idleTimeoutMs`, hub: `WSGUARD_IDLE_TIMEOUT`, default 10 min).' },
];

const byCode = new Map(CLOSE_CODES.map((c) => [c.code, c]));

export function closeCodeInfo(code: number): CloseCodeInfo | undefined {
  return byCode.get(code);
}

/** Machine-readable close reasons (short, stable, never attacker input). */
export const CloseReason = {
  SHUTDOWN: 'shutdown',
  TOKEN_EXPIRED: 'token_expired',
  REVOKED: 'revoked',
  VIOLATIONS: 'too_many_violations',
  RATE_LIMITED: 'rate_limited',
  SLOW_CONSUMER: 'slow_consumer',
  HEARTBEAT: 'heartbeat_timeout',
  IDLE: 'idle_timeout',
  AUTH_TIMEOUT: 'auth_timeout',
  UNAUTHENTICATED: 'unauthenticated',
  TOO_MANY_CONNECTIONS: 'too_many_connections',
  BINARY: 'binary_not_allowed',
  TOO_BIG: 'too_big',
  INTERNAL: 'internal',
  /** The node lost events this connection needed; reconnect and resume (the resume answers history_gone if they are gone). */
  RESYNC: 'resync',
  /** The revocation store could not confirm a just-registered connection (fail closed); reconnect. */
  AUTH_UNAVAILABLE: 'auth_unavailable',
} as const;
export type CloseReasonValue = (typeof CloseReason)[keyof typeof CloseReason];
