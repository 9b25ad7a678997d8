/**
 * A refused WebSocket handshake (an HTTP answer other than 101), as far as the runtime lets us see it.
 * Node's `ws` emits 'unexpected-response' with the status and headers; browsers hide both (the
 * handshake just fails like a network error), so there the credentials are checked by the ticket
 * request instead (see fetchTicket in ticket.ts).
 */
import { ClientError } from './errors.js';
import type { WebSocketLike } from './types.js';

export interface HandshakeRefusal {
  readonly status: number;
  /** RFC 6750 `error` of WWW-Authenticate (`invalid_token`...), else the HTTP status text. */
  readonly reason: string;
  /** From Retry-After (seconds), when the server sent one. */
  readonly retryAfterMs?: number;
}

type Headers = Record<string, string | string[] | undefined>;
interface NodeResponse {
  statusCode?: number;
  statusMessage?: string;
  headers?: Headers;
}
interface NodeWebSocket {
  on(event: 'unexpected-response', listener: (req: unknown, res: NodeResponse) => void): unknown;
  terminate(): void;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** `error="invalid_token"` from a `WWW-Authenticate: Bearer ...` challenge (RFC 6750 section 3). */
export function bearerError(challenge: string | null | undefined): string | undefined {
  return /\berror="([A-Za-z0-9_.-]{1,64})"/.exec(challenge ?? '')?.[1];
}

export function retryAfterMs(value: string | null | undefined): number | undefined {
  if (value == null || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

export function refusalFrom(status: number, headers: Headers, statusText: string | undefined): HandshakeRefusal {
  const reason = bearerError(first(headers['www-authenticate'])) ?? (statusText || `HTTP ${status}`);
  const after = retryAfterMs(first(headers['retry-after']));
  return after === undefined ? { status, reason } : { status, reason, retryAfterMs: after };
}

/** Calls `onRefusal` when the server answers the handshake with a plain HTTP response (Node `ws` only). */
export function watchRefusal(ws: WebSocketLike, onRefusal: (r: HandshakeRefusal) => void): void {
  const node = ws as unknown as Partial<NodeWebSocket>;
  if (typeof node.on !== 'function' || typeof node.terminate !== 'function') return;
  node.on.call(ws, 'unexpected-response', (_req, res) => {
    onRefusal(refusalFrom(res.statusCode ?? 0, res.headers ?? {}, res.statusMessage));
    // With a listener, ws leaves aborting to us; terminate() emits 'close' (1006) as usual.
    node.terminate!.call(ws);
  });
}

/** What a refusal means: refused credentials, worth retrying later, or final. */
export function classifyRefusal(r: HandshakeRefusal): { kind: 'auth'; error: ClientError } | { kind: 'transient' } | { kind: 'final'; error: ClientError } {
  const details = { status: r.status, reason: r.reason };
  if (r.status === 401) return { kind: 'auth', error: new ClientError('auth_failed', `credentials refused (HTTP 401 ${r.reason})`, details) };
  if (r.status === 408 || r.status === 429 || r.status >= 500) return { kind: 'transient' };
  return { kind: 'final', error: new ClientError('handshake_refused', `handshake refused (HTTP ${r.status} ${r.reason})`, details) };
}
