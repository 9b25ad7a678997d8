/**
 * Token checks shared by the gate, the ticket endpoint and `auth.refresh`: signature and claims
 * (src/auth/jwt.ts), then revocation. Also the per-IP failed-authentication throttle.
 */
import type { IncomingMessage } from 'node:http';
import { TokenError, type TokenVerifier } from '../auth/jwt.js';
import type { Identity, RevocationStore } from '../auth/types.js';
import { KeyedBuckets } from './token-bucket.js';

const BEARER_RE = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

export function bearerFromHeader(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string' || h.length > 8200) return undefined;
  return BEARER_RE.exec(h)?.[1];
}

export class Authenticator {
  private readonly failures: KeyedBuckets;
  /** Seconds until a throttled IP earns its next attempt. */
  readonly retryAfterSec: number;
  constructor(
    private readonly verifier: TokenVerifier | undefined,
    private readonly revocations: RevocationStore,
    failures: { perMin: number; burst: number },
  ) {
    this.failures = new KeyedBuckets(failures.perMin / 60, failures.burst);
    this.retryAfterSec = Math.ceil(60 / failures.perMin);
  }

  get hasJwt(): boolean {
    return this.verifier !== undefined;
  }

  /** Verified, unrevoked identity; throws TokenError otherwise. */
  async verifyToken(token: string, method: Identity['method']): Promise<Identity> {
    if (!this.verifier) throw new TokenError('invalid');
    const identity: Identity = { ...(await this.verifier(token)), method };
    await this.assertNotRevoked(identity);
    return identity;
  }

  async assertNotRevoked(identity: Identity): Promise<void> {
    if (await this.revocations.isRevoked(identity, identity.iat)) throw new TokenError('revoked');
  }

  /** True when this IP has used up its failed-authentication allowance. */
  isThrottled(ip: string): boolean {
    return !this.failures.peek(ip);
  }

  recordFailure(ip: string): void {
    this.failures.take(ip);
  }
}
