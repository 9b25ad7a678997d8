/**
 * Application error codes carried in `error` frames (and HTTP API error bodies).
 * One registry, like Fastify's: code, HTTP status for the HTTP API, and whether a client may retry.
 * docs/protocol.md is checked against it by a test.
 */
export interface ErrorCodeInfo {
  readonly code: ErrorCodeValue;
  readonly status: number;
  readonly retryable: boolean;
  /** Fixed, generic message: never built from attacker input. */
  readonly message: string;
}

export const ERROR_CODES = [
  { code: 'invalid_message', status: 400, retryable: false, message: 'The message does not match the protocol.' },
  { code: 'unknown_type', status: 400, retryable: false, message: 'Unknown message type.' },
  { code: 'unauthenticated', status: 401, retryable: false, message: 'Valid credentials are required.' },
  { code: 'invalid_token', status: 401, retryable: false, message: 'The token is invalid, expired, or for another subject.' },
  { code: 'forbidden', status: 403, retryable: false, message: 'Not allowed.' },
  { code: 'not_found', status: 404, retryable: false, message: 'Not found.' },
  { code: 'too_large', status: 413, retryable: false, message: 'Message too large.' },
  { code: 'rate_limited', status: 429, retryable: true, message: 'Too many messages; slow down.' },
  { code: 'not_subscribed', status: 409, retryable: false, message: 'Not subscribed to that channel.' },
  // Not retryable: the same subscribe is refused again until the connection unsubscribes from something.
  { code: 'too_many_subscriptions', status: 429, retryable: false, message: 'Too many subscriptions on this connection; unsubscribe from one first.' },
  { code: 'channel_limit', status: 429, retryable: false, message: 'Too many channels; nothing was stored.' },
  { code: 'replay_limited', status: 429, retryable: true, message: 'Too many replays in progress for this identity; retry later.' },
  { code: 'history_gone', status: 410, retryable: false, message: 'Requested history is older than retention; resync.' },
  { code: 'unavailable', status: 503, retryable: true, message: 'Temporarily unavailable; nothing was stored.' },
  { code: 'internal', status: 500, retryable: true, message: 'Internal error.' },
] as const satisfies readonly { code: string; status: number; retryable: boolean; message: string }[];

export type ErrorCodeValue = (typeof ERROR_CODES)[number]['code'];

const byCode = new Map<string, ErrorCodeInfo>(ERROR_CODES.map((e) => [e.code, e]));

export function errorInfo(code: ErrorCodeValue): ErrorCodeInfo {
  return byCode.get(code)!;
}

export function isErrorCode(code: string): code is ErrorCodeValue {
  return byCode.has(code);
}

/**
 * A typed, expected failure. Handlers throw it to answer with an `error` frame;
 * anything else thrown becomes `internal` (and a security event), never a stack trace on the wire.
 * `cause` (standard ErrorOptions) keeps the underlying failure for logs; it never reaches the wire.
 */
export class WsguardError extends Error {
  readonly code: ErrorCodeValue;
  readonly status: number;
  constructor(code: ErrorCodeValue, message?: string, options?: ErrorOptions) {
    const info = errorInfo(code);
    super(message ?? info.message, options);
    this.name = 'WsguardError';
    this.code = code;
    this.status = info.status;
  }
}
