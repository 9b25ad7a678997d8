/**
 * fetchTicket: the usual `ticket` provider for browsers. A browser cannot read the status of a refused
 * WebSocket handshake, but it can read the ticket request's: a token the hub refuses fails here, with
 * the HTTP status and the hub's error code, before any WebSocket is opened.
 */
import { ClientError } from './errors.js';
import { bearerError } from './refusal.js';

export interface FetchTicketOptions {
  /** Ticket endpoint, e.g. `/api/tickets` or `https://hub.example/api/tickets`. */
  url: string;
  /** The JWT (or a provider of it) sent as `Authorization: Bearer`. */
  token: string | (() => string | Promise<string>);
  /** fetch implementation (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

/**
 * Returns a ticket provider. 401/403 reject with ClientError `auth_failed` (`status`, `reason` = the
 * hub's code such as `invalid_token`): the client counts it as refused credentials and gives up after
 * `maxReauthFailures`. Other failures (network, 429, 5xx) are plain errors: the client retries them.
 */
export function fetchTicket(options: FetchTicketOptions): () => Promise<string> {
  return async () => {
    const f = options.fetch ?? globalThis.fetch;
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    const res = await f(options.url, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, cache: 'no-store', credentials: 'omit' });
    const body = (await res.json().catch(() => undefined)) as { ticket?: unknown; error?: { code?: unknown } } | undefined;
    if (res.ok && typeof body?.ticket === 'string') return body.ticket;
    const code = typeof body?.error?.code === 'string' ? body.error.code : undefined;
    const reason = code ?? bearerError(res.headers.get('www-authenticate')) ?? (res.statusText || `HTTP ${res.status}`);
    if (res.status === 401 || res.status === 403) {
      throw new ClientError('auth_failed', `ticket request refused (HTTP ${res.status} ${reason})`, { status: res.status, reason });
    }
    throw new Error(`ticket request failed (HTTP ${res.status} ${reason})`);
  };
}
