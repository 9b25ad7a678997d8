/**
 * Credentials for the page: the JWT lives in a Session object (memory only: never storage, cookies or a URL),
 * and every WebSocket (re)connect gets a fresh single-use ticket from POST /api/tickets.
 */

/** An HTTP answer that is not 2xx; `code` is the hub's error code when it sent one. */
export class HttpError extends Error {
  constructor(status, code) {
    super(`HTTP ${status}${code ? ` (${code})` : ''}`);
    this.status = status;
    this.code = code ?? `http_${status}`;
  }
}

/** Server down, restarting (503) or throttling: worth trying again later; a refused credential is not. */
function retryable(err) {
  return !(err instanceof HttpError) || err.status >= 500 || err.status === 429;
}

async function postJson(path, body, bearer) {
  const headers = { 'Content-Type': 'application/json' };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body ?? {}), cache: 'no-store', credentials: 'omit' });
  const data = await res.json().catch(() => undefined);
  if (!res.ok) throw new HttpError(res.status, typeof data?.error?.code === 'string' ? data.error.code : undefined);
  return data;
}

export async function fetchInfo() {
  const res = await fetch('/api/info', { cache: 'no-store', credentials: 'omit' });
  if (!res.ok) throw new HttpError(res.status);
  return res.json();
}

/** Reads the JWT's claims for display and scheduling only; the hub is the one that verifies them. */
export function decodeClaims(jwt) {
  try {
    const part = jwt.split('.')[1] ?? '';
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims !== null && typeof claims === 'object' ? claims : {};
  } catch {
    return {};
  }
}

function patterns(list) {
  return Array.isArray(list) ? list.filter((p) => typeof p === 'string') : [];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Session {
  /** `demoUser`: dev mode, the token can be re-minted from /api/dev/token. */
  constructor(token, demoUser) {
    this.demoUser = demoUser;
    this.closed = false;
    this.setToken(token);
  }

  static async demo(user) {
    const { token } = await postJson('/api/dev/token', { user });
    return new Session(token, user);
  }

  setToken(token) {
    this.token = token;
    const claims = decodeClaims(token);
    this.sub = typeof claims.sub === 'string' ? claims.sub : '(unknown)';
    this.exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    this.iat = typeof claims.iat === 'number' ? claims.iat : undefined;
    this.perms = { subscribe: patterns(claims.perms?.subscribe), publish: patterns(claims.perms?.publish) };
  }

  /** Dev mode: a new token for the same demo user (the SDK's token provider: refresh before expiry). */
  async refresh() {
    const { token } = await postJson('/api/dev/token', { user: this.demoUser });
    this.setToken(token);
    return token;
  }

  /** One ticket, checking the token now: a refused token fails sign-in instead of a reconnect loop. */
  async firstTicket() {
    const { ticket } = await postJson('/api/tickets', undefined, this.token);
    return ticket;
  }

  /**
   * The SDK's ticket provider. While the hub is unreachable (restart, 503) it waits and retries here with
   * jittered backoff: the SDK counts a provider failure as a refused credential and gives up after a few.
   * A token the hub refuses is re-minted once in dev mode (a restarted dev hub has a new secret).
   */
  async ticket() {
    let reminted = false;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new Error('signed out');
      try {
        const nearExpiry = this.exp !== undefined && this.exp * 1000 - Date.now() < 60_000;
        if (this.demoUser && nearExpiry) await this.refresh();
        const { ticket } = await postJson('/api/tickets', undefined, this.token);
        return ticket;
      } catch (err) {
        if (this.demoUser && !reminted && err instanceof HttpError && err.status === 401) {
          reminted = true;
          await this.refresh().catch(() => {});
          continue;
        }
        if (!retryable(err)) throw err;
        await sleep(Math.random() * Math.min(10_000, 250 * 2 ** Math.min(attempt, 10)));
      }
    }
  }
}

/** Warn this long before a token that cannot be renewed expires: 5 minutes, or a quarter of a shorter lifetime. */
export function expiryWarningMs(expSec, iatSec) {
  const lifetimeMs = iatSec === undefined ? Infinity : (expSec - iatSec) * 1000;
  return Math.min(5 * 60_000, lifetimeMs / 4);
}

/** "4:07", "1h 05m": the time left, to the second under an hour. */
export function formatRemaining(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** What the page says about a pasted token at `nowMs`: fine, expiring soon, or expired. */
export function tokenExpiry(expSec, iatSec, nowMs) {
  const left = expSec * 1000 - nowMs;
  if (left <= 0) return { state: 'expired', left: 0 };
  return { state: left <= expiryWarningMs(expSec, iatSec) ? 'warn' : 'ok', left };
}
