import { errorInfo, isErrorCode, type ErrorCodeValue } from '../protocol/errors.js';

/**
 * Codes the client itself produces (the server's codes come from src/protocol/errors.ts).
 * - disconnected:      the socket dropped while the request was in flight; the outcome is unknown
 * - timeout:           no answer within requestTimeoutMs; the outcome is unknown
 * - closed:            the client was closed (by the app, or it gave up)
 * - connection_closed: the server closed with a code whose retry policy is 'no'
 * - connect_failed:    an attempt failed before the WebSocket opened without an HTTP answer (refused or
 *                      unreachable port, DNS, TLS); `cause` is the runtime's error when it shows one.
 *                      Reported once per failed attempt; the client retries with backoff
 * - auth_failed:       the credentials were refused (HTTP 401 on the handshake or the ticket request:
 *                      `status`, `reason`), the provider failed, or fresh credentials kept being refused
 * - handshake_refused: the server refused the WebSocket handshake for another reason (`status`, `reason`:
 *                      403 origin/host, 400 path...); retrying cannot fix it
 * - already_subscribed: one subscription per channel per client
 * - bad_frame:         the server sent a frame that is not a protocol v1 message
 * - publish_queue_full: too many publishes already wait to be sent (the client paces them to the
 *                      hub's per-connection budget); nothing was sent, retry after earlier ones settle
 */
export type ClientErrorCode =
  | ErrorCodeValue
  | 'disconnected'
  | 'timeout'
  | 'closed'
  | 'connection_closed'
  | 'connect_failed'
  | 'auth_failed'
  | 'handshake_refused'
  | 'already_subscribed'
  | 'bad_frame'
  | 'publish_queue_full';

const CLIENT_RETRYABLE: Record<string, boolean> = { disconnected: true, timeout: true, connect_failed: true, publish_queue_full: true };

export interface ClientErrorDetails {
  /** WebSocket close code, for connection_closed. */
  closeCode?: number;
  closeReason?: string;
  /** Channel the error is about, when there is one. */
  channel?: string;
  /** invalid_message: the schema path of the field that failed (`payload.sha256`). */
  field?: string;
  /** HTTP status of a refused handshake or ticket request (auth_failed, handshake_refused). */
  status?: number;
  /**
   * Why it was refused: the RFC 6750 `error` of `WWW-Authenticate` (`invalid_token`, ...) or the hub's
   * error code from a JSON body, else the HTTP status text.
   */
  reason?: string;
  cause?: unknown;
}

export class ClientError extends Error {
  readonly code: ClientErrorCode;
  /** True when trying again later may succeed (the app decides whether to). */
  readonly retryable: boolean;
  readonly closeCode?: number;
  readonly closeReason?: string;
  readonly channel?: string;
  readonly status?: number;
  readonly reason?: string;
  readonly field?: string;

  constructor(code: ClientErrorCode, message: string, details: ClientErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ClientError';
    this.code = code;
    this.retryable = isErrorCode(code) ? errorInfo(code).retryable : (CLIENT_RETRYABLE[code] ?? false);
    if (details.closeCode !== undefined) this.closeCode = details.closeCode;
    if (details.closeReason !== undefined) this.closeReason = details.closeReason;
    if (details.channel !== undefined) this.channel = details.channel;
    if (details.status !== undefined) this.status = details.status;
    if (details.reason !== undefined) this.reason = details.reason;
    if (details.field !== undefined) this.field = details.field;
  }
}

/** Maps a server `error` frame to a ClientError; an unknown code becomes `internal`. */
export function fromErrorFrame(payload: { code: string; message: string; field?: string }, channel?: string): ClientError {
  const code: ClientErrorCode = isErrorCode(payload.code) ? payload.code : 'internal';
  const details: ClientErrorDetails = {};
  if (channel !== undefined) details.channel = channel;
  if (payload.field !== undefined) details.field = payload.field;
  return new ClientError(code, payload.field === undefined ? payload.message : `${payload.message} (${payload.field})`, details);
}

/**
 * Runs an app callback so that its exception cannot break the client's receive path: the error is
 * rethrown on its own (reported like any uncaught error in the page or process), and delivery goes on.
 */
export function callApp<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
  if (!fn) return;
  try {
    fn(...args);
  } catch (err) {
    queueMicrotask(() => {
      throw err;
    });
  }
}
