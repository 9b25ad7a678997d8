/**
 * Token checks shared by the gate, the ticket endpoint and `auth.refresh`: signature and claims
 * (src/auth/jwt.ts), then revocation. Also the per-IP failed-authentication throttle.
 */
import type { IncomingMessage } from 'node:http';
import { TokenError, type TokenVerifier } from '../auth/jwt.js';
import { withMethod, type Identity, type RevocationStore } from '../auth/types.js';
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
    /** Longest accepted token lifetime (exp − iat) and the clock skew allowed, seconds. */
    private readonly lifetime: { maxSec: number; toleranceSec: number } = { maxSec: 86_400, toleranceSec: 30 },
  ) {
    this.failures = new KeyedBuckets(failures.perMin / 60, failures.burst);
    this.retryAfterSec = Math.ceil(60 / failures.perMin);
  }

  /** Verified, unexpired (past exp is refused whatever the clock tolerance), unrevoked identity; throws TokenError otherwise. */
  async verifyToken(token: string, method: Identity['method']): Promise<Identity> {
    if (!this.verifier) throw new TokenError('invalid');
    const identity = withMethod(await this.verifier(token), method);
    this.assertLifetime(identity);
    this.assertOpensSession(identity);
    await this.assertNotRevoked(identity);
    return identity;
  }

  /**
   * A token may live at most `maxSec`: revocations are kept that long (see revocationUntil), so a
   * longer-lived token would outlive its own revocation. An `iat` more than the tolerance in the
   * future is refused too: it would dodge revocation by sub. JWTs always carry `iat` (jwt.ts requires
   * it): with `exp − now` instead, a far-future `exp` would become acceptable once enough time passed,
   * after a jti revocation of it had expired. Identities without `iat` (cookie hook) use `exp − now`.
   */
  assertLifetime(identity: Pick<Identity, 'exp' | 'iat'>, nowSec = Math.floor(Date.now() / 1000)): void {
    if (identity.exp === undefined) return;
    if (identity.iat !== undefined && identity.iat > nowSec + this.lifetime.toleranceSec) throw new TokenError('claims');
    if (identity.exp - (identity.iat ?? nowSec) > this.lifetime.maxSec) throw new TokenError('lifetime');
  }

  /**
   * A token past its `exp` opens nothing (a connection, a ticket, a refresh, an HTTP request), clock
   * tolerance or not: a connection admitted with it would be closed at once (the session ends at
   * `exp`), and its client would reconnect with the same token again and again until the tolerance
   * ran out. The tolerance still applies to `iat`.
   */
  assertOpensSession(identity: Pick<Identity, 'exp'>, nowMs = Date.now()): void {
    if (identity.exp !== undefined && identity.exp * 1000 <= nowMs) throw new TokenError('expired');
  }

  /**
   * Until when a revocation made now must be kept: past it, no token that could be accepted today
   * is still unexpired. Its `iat` may be up to the tolerance ahead of now, it lives at most maxSec
   * after that, and its `exp` is honoured up to the tolerance late: maxSec + 2 × tolerance.
   */
  revocationUntil(nowSec = Math.floor(Date.now() / 1000)): number {
    return nowSec + this.lifetime.maxSec + 2 * this.lifetime.toleranceSec;
  }

  /**
   * A sub revocation refuses tokens with `iat <= revokedAt + tolerance`: an issuer whose clock runs
   * up to the tolerance ahead of ours stamps tokens minted just before the revocation with a later
   * `iat`. The price: a fresh login of that sub works only once the tolerance has passed.
   */
  async assertNotRevoked(identity: Identity): Promise<void> {
    const issuedAt = identity.iat === undefined ? undefined : identity.iat - this.lifetime.toleranceSec;
    if (await this.revocations.isRevoked(identity, issuedAt)) throw new TokenError('revoked');
  }

  /** True when this IP has used up its failed-authentication allowance. */
  isThrottled(ip: string): boolean {
    return !this.failures.peek(ip);
  }

  recordFailure(ip: string): void {
    this.failures.take(ip);
  }
}
