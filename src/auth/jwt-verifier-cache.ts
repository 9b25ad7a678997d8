/**
 * Synchronous JWT verification with a bounded cache of verified tokens, for a static key (HS256
 * secret or PEM public key): fast-jwt. The handshake profile showed jose's WebCrypto verify (the
 * async job around a cheap HMAC) as the largest single cost of a JWT handshake; fast-jwt verifies
 * with node:crypto synchronously and, on a cache hit (same token again: reconnects, several tabs),
 * skips the signature and claims work until the token's `exp` (plus the clock tolerance) or the
 * cache TTL, whichever comes first. JWKS stays on jose (remote keys, rotation).
 *
 * The cache key is a SHA-2 hash of the whole token (fast-jwt's default; never a custom key
 * builder, see GHSA-rp9m-7r4c-75qg), so a tampered token never hits another's entry. fast-jwt keeps
 * a refusal for about the clock tolerance (a refused token stays refused); refusals and acceptances
 * share the LRU bound. Revocation, Origin, Host and every other check run outside, on every handshake.
 */
import { createVerifier, type VerifierOptions } from 'fast-jwt';

type Options = Partial<VerifierOptions & { key: string | Buffer }>;

/** Verified tokens kept at most (LRU). About 1 KB each; bounds memory whatever clients send. */
export const VERIFIED_CACHE_SIZE = 10_000;
/** A cached token is verified again after this long even if it lives longer. */
export const VERIFIED_CACHE_TTL_MS = 10 * 60_000;

export interface CachedVerifierOptions {
  /** HS256 secret bytes, or a PEM public key with its one algorithm. */
  readonly key: Uint8Array | string;
  readonly algorithms: readonly ('HS256' | 'RS256' | 'ES256' | 'EdDSA')[];
  readonly clockToleranceSec: number;
  readonly issuer?: string;
  readonly audience?: string;
  /** Defaults to VERIFIED_CACHE_SIZE; 0 turns the cache off. */
  readonly cacheSize?: number;
  readonly cacheTtlMs?: number;
}

/** The error a refused token raises, coded like jose's so the caller maps both libraries alike. */
export class CachedVerifyError extends Error {
  constructor(readonly code: 'ERR_JWT_EXPIRED' | 'ERR_JWT_CLAIM_VALIDATION_FAILED' | 'ERR_JWS_INVALID') {
    super(code);
    this.name = 'CachedVerifyError';
  }
}

const CLAIM_CODES = new Set(['FAST_JWT_MISSING_REQUIRED_CLAIM', 'FAST_JWT_INVALID_CLAIM_VALUE', 'FAST_JWT_INVALID_CLAIM_TYPE', 'FAST_JWT_INACTIVE']);

export type CachedVerifier = ((token: string) => Record<string, unknown>) & { readonly cacheEntries: () => number };

export function createCachedVerifier(o: CachedVerifierOptions): CachedVerifier {
  const options: Options = {
    key: typeof o.key === 'string' ? o.key : Buffer.from(o.key),
    algorithms: [...o.algorithms],
    // fast-jwt checks iss/aud only when present: a configured issuer or audience must also be required (as jose does).
    requiredClaims: ['exp', 'sub', ...(o.issuer !== undefined ? ['iss'] : []), ...(o.audience !== undefined ? ['aud'] : [])],
    clockTolerance: o.clockToleranceSec * 1000,
    cache: o.cacheSize ?? VERIFIED_CACHE_SIZE,
    cacheTTL: o.cacheTtlMs ?? VERIFIED_CACHE_TTL_MS,
    ...(o.issuer !== undefined ? { allowedIss: o.issuer } : {}),
    ...(o.audience !== undefined ? { allowedAud: o.audience } : {}),
  };
  const verify = createVerifier(options);
  const cache = (verify as unknown as { cache?: { size: number } | null }).cache;
  const fn = (token: string): Record<string, unknown> => {
    try {
      return verify(token) as Record<string, unknown>;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      throw new CachedVerifyError(code === 'FAST_JWT_EXPIRED' ? 'ERR_JWT_EXPIRED' : CLAIM_CODES.has(code) ? 'ERR_JWT_CLAIM_VALIDATION_FAILED' : 'ERR_JWS_INVALID');
    }
  };
  return Object.assign(fn, { cacheEntries: () => cache?.size ?? 0 });
}

/**
 * jwt.ts's entry point: a cached verifier when the config holds a static key (`secret`, whose
 * bytes are `key`, or a PEM `publicKey`), undefined for JWKS (which stays on jose).
 */
export function staticKeyVerifier(
  config: { readonly secret?: unknown; readonly publicKey?: string; readonly issuer?: string; readonly audience?: string },
  key: unknown,
  algorithms: readonly string[],
  clockToleranceSec: number,
): CachedVerifier | undefined {
  const staticKey = config.publicKey ?? (config.secret !== undefined && key instanceof Uint8Array ? key : undefined);
  if (staticKey === undefined) return undefined;
  return createCachedVerifier({
    key: staticKey,
    algorithms: algorithms as CachedVerifierOptions['algorithms'],
    clockToleranceSec,
    ...(config.issuer !== undefined ? { issuer: config.issuer } : {}),
    ...(config.audience !== undefined ? { audience: config.audience } : {}),
  });
}
