/**
 * Credentials, in memory only (never storage, cookies, or a URL other than the single-use ticket).
 * A ticket is fetched for every connection attempt (it is single-use); a token is reused until it
 * is near expiry or the server asks for fresh credentials.
 */
import { BEARER_SUBPROTOCOL_PREFIX, SUBPROTOCOL } from './wire.js';
import { jwtExpiry } from './token.js';

export interface ConnectParams {
  url: string;
  protocols: string[];
}

export class Credentials {
  private token: string | undefined;
  private tokenExp: number | undefined;

  constructor(
    private readonly tokenProvider: (() => Promise<string> | string) | undefined,
    private readonly ticketProvider: (() => Promise<string> | string) | undefined,
    private readonly refreshBeforeMs: number,
  ) {}

  get hasTokenProvider(): boolean {
    return this.tokenProvider !== undefined;
  }

  /** `exp` (seconds) of the current token, when it has one. */
  get exp(): number | undefined {
    return this.tokenExp;
  }

  /** Calls the token provider and keeps the result. */
  async freshToken(): Promise<string> {
    if (!this.tokenProvider) throw new Error('no token provider');
    const t = await this.tokenProvider();
    if (typeof t !== 'string' || t.length === 0) throw new Error('token provider returned no token');
    this.token = t;
    this.tokenExp = jwtExpiry(t);
    return t;
  }

  /** URL and subprotocols for the next connection attempt; `fresh` forces new credentials. */
  async connectParams(baseUrl: string, fresh: boolean): Promise<ConnectParams> {
    const protocols = [SUBPROTOCOL];
    let url = baseUrl;
    if (this.ticketProvider) {
      const ticket = await this.ticketProvider();
      if (typeof ticket !== 'string' || ticket.length === 0) throw new Error('ticket provider returned no ticket');
      const u = new URL(baseUrl);
      u.searchParams.set('ticket', ticket);
      url = u.toString();
    } else if (this.tokenProvider) {
      const stale = this.tokenExp !== undefined && this.tokenExp * 1000 - Date.now() < Math.min(this.refreshBeforeMs, 5000);
      const token = fresh || stale || this.token === undefined ? await this.freshToken() : this.token;
      protocols.push(BEARER_SUBPROTOCOL_PREFIX + token);
    }
    return { url, protocols };
  }
}
