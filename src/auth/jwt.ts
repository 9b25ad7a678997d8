/**
 * JWT verification with jose: the algorithm list is pinned to the configured key type
 * (never taken from the token), `exp`, `iat` and `sub` are required (without `iat` a token could not be
 * revoked for good: see Authenticator.assertLifetime), `iss`/`aud` checked when set.
 */
import { createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWSAlgorithm, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { staticKeyVerifier } from './jwt-verifier-cache.js';
import type { Identity } from './types.js';

export const MIN_SECRET_BYTES = 32;

export interface JwtConfig {
  /** HS256 shared secret, at least 32 bytes. */
  readonly secret?: string | Uint8Array;
  /** PEM public key (SPKI): RSA → RS256, P-256 → ES256, Ed25519 → EdDSA. */
  readonly publicKey?: string;
  /** Remote JWKS endpoint (https). */
  readonly jwksUrl?: string;
  /** Local JWKS document. */
  readonly jwks?: JSONWebKeySet;
  /** Accepted algorithms for JWKS keys (default RS256, ES256, EdDSA; never `none`, never HS*). */
  readonly algorithms?: readonly JWSAlgorithm[];
  readonly issuer?: string;
  readonly audience?: string;
  /** Allowed clock skew in seconds. */
  readonly clockToleranceSec?: number;
}

export type AsymmetricAlgorithm = 'RS256' | 'ES256' | 'EdDSA';
const ASYMMETRIC: readonly AsymmetricAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];

/** Thrown for every token that is not accepted; `reason` is for logs and metrics, never the wire. */
export class TokenError extends Error {
  constructor(readonly reason: 'malformed' | 'invalid' | 'expired' | 'claims' | 'lifetime' | 'revoked' | 'subject_mismatch') {
    super(`token refused: ${reason}`);
    this.name = 'TokenError';
  }
}

const Perms = z.object({
  subscribe: z.array(z.string().max(256)).max(256).default([]),
  publish: z.array(z.string().max(256)).max(256).default([]),
  /** Admin rights (ADMIN_PERMISSIONS in ./types.ts); unknown entries are kept but grant nothing. */
  admin: z.array(z.string().max(64)).max(16).optional(),
});
const Claims = z.object({
  sub: z.string().min(1).max(256),
  exp: z.number().int(),
  iat: z.number().int(),
  jti: z.string().min(1).max(256).optional(),
  perms: Perms.default({ subscribe: [], publish: [] }),
});

export type TokenVerifier = (token: string) => Promise<Omit<Identity, 'method'>>;

/** Which algorithm a PEM public key may be used with. */
export function algorithmForKey(key: KeyObject): AsymmetricAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`unsupported public key type ${type ?? 'unknown'} (use RSA, P-256 or Ed25519)`);
}

export function secretBytes(secret: string | Uint8Array): Uint8Array {
  return typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
}

/** Builds a verifier; throws (plain Error) on a config it cannot use. */
export function createJwtVerifier(config: JwtConfig): TokenVerifier {
  const sources = [config.secret, config.publicKey, config.jwksUrl, config.jwks].filter((v) => v !== undefined);
  if (sources.length !== 1) throw new Error('set exactly one of secret, publicKey, jwksUrl, jwks');
  let key: Uint8Array | KeyObject | CryptoKey | JWTVerifyGetKey;
  // HS256: the secret is imported once (jose would re-import raw bytes on every verify).
  let hmacKey: Promise<CryptoKey> | undefined;
  let algorithms: JWSAlgorithm[];
  if (config.secret !== undefined) {
    key = secretBytes(config.secret);
    if (key.byteLength < MIN_SECRET_BYTES) throw new Error(`secret must be at least ${MIN_SECRET_BYTES} bytes`);
    algorithms = ['HS256'];
    hmacKey = webcrypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    hmacKey.catch(() => undefined); // surfaced on first verify
  } else if (config.publicKey !== undefined) {
    const publicKey = createPublicKey(config.publicKey);
    key = publicKey;
    algorithms = [algorithmForKey(publicKey)];
  } else {
    key = config.jwks ? createLocalJWKSet(config.jwks) : createRemoteJWKSet(new URL(config.jwksUrl!));
    algorithms = [...(config.algorithms ?? ASYMMETRIC)];
    if (algorithms.some((a) => !(ASYMMETRIC as readonly string[]).includes(a))) throw new Error('JWKS algorithms must be among RS256, ES256, EdDSA');
  }
  const options = {
    algorithms,
    requiredClaims: ['exp', 'iat', 'sub'],
    clockTolerance: config.clockToleranceSec ?? 30,
    ...(config.issuer !== undefined ? { issuer: config.issuer } : {}),
    ...(config.audience !== undefined ? { audience: config.audience } : {}),
  };
  // Static keys: fast-jwt, synchronous, with a cache of verified tokens bounded by exp (jwt-verifier-cache.ts); JWKS stays on jose.
  const cached = staticKeyVerifier(config, key, algorithms, options.clockTolerance);
  // A cache hit returns the same payload object (the verifier's own, never handed to anyone else):
  // its claims are parsed once, and the connections opened with one token (tabs, reconnects) share
  // one frozen copy of them. The parse is a pure function of that unchanging object, so a hit gets
  // the answer a new parse would give; expiry and lifetime are checked per verify by the caller.
  const claimsOf = cached ? new WeakMap<object, Omit<Identity, 'method'>>() : undefined;
  return async (token: string) => {
    // Cheap shape check first: three base64url parts, bounded length.
    if (token.length > 8192 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) throw new TokenError('malformed');
    let payload: JWTPayload;
    try {
      // The overloads differ by key kind; the union is what we hold.
      if (hmacKey && !cached) key = await hmacKey;
      payload = cached ? (cached(token) as JWTPayload) : (await jwtVerify(token, key as Uint8Array, options)).payload;
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new TokenError(code === 'ERR_JWT_EXPIRED' ? 'expired' : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? 'claims' : 'invalid');
    }
    const known = claimsOf?.get(payload);
    if (known !== undefined) return known;
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new TokenError('claims');
    const { sub, exp, iat, jti } = claims.data;
    const { subscribe, publish, admin } = claims.data.perms;
    const perms = Object.freeze({ subscribe: Object.freeze(subscribe), publish: Object.freeze(publish), ...(admin?.length ? { admin: Object.freeze(admin) } : {}) });
    const result = Object.freeze(jti !== undefined ? { sub, exp, iat, perms, jti } : { sub, exp, iat, perms });
    claimsOf?.set(payload, result);
    return result;
  };
}
