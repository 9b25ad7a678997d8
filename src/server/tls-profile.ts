/**
 * The TLS profile of every TLS listener wsguard opens, exported so library users get the same one:
 * `https.createServer(secureHttpsOptions({ cert, key }), handler)`.
 *
 * It is the "intermediate" profile of Mozilla's server-side TLS guidelines, without DHE (its
 * parameters are slow and rarely needed by clients that have ECDHE):
 *
 * | setting           | value                                                                      |
 * | ----------------- | -------------------------------------------------------------------------- |
 * | versions          | TLS 1.2 and TLS 1.3 only                                                   |
 * | TLS 1.3 suites    | TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 |
 * | TLS 1.2 suites    | ECDHE-{ECDSA,RSA}-AES128-GCM-SHA256, ECDHE-{ECDSA,RSA}-AES256-GCM-SHA384,  |
 * |                   | ECDHE-{ECDSA,RSA}-CHACHA20-POLY1305: forward secret, AEAD only             |
 * | key exchange      | X25519, P-256, P-384                                                       |
 * | cipher order      | the server's (honorCipherOrder)                                            |
 * | renegotiation     | refused (SSL_OP_NO_RENEGOTIATION); TLS 1.3 has none                        |
 *
 * So no RSA key exchange (no forward secrecy), no CBC, no SHA-1 MAC, no 3DES/RC4/NULL/EXPORT.
 */
import { constants } from 'node:crypto';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { SecureVersion, TlsOptions } from 'node:tls';
import { secureHttpOptions } from './http-hardening.js';

export const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
export const TLS12_SUITES = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

export const TLS_PROFILE = {
  minVersion: 'TLSv1.2' as SecureVersion,
  maxVersion: 'TLSv1.3' as SecureVersion,
  /** Node takes TLS 1.3 suites and TLS 1.2 ciphers in one list and splits them for OpenSSL. */
  ciphers: [...TLS13_SUITES, ...TLS12_SUITES].join(':'),
  ecdhCurve: 'X25519:P-256:P-384',
  honorCipherOrder: true,
  secureOptions: constants.SSL_OP_NO_RENEGOTIATION | constants.SSL_OP_NO_COMPRESSION,
} as const;

/** What an operator may change (WSGUARD_TLS_CIPHERS, WSGUARD_TLS_MIN_VERSION). */
export interface TlsProfileOverrides {
  /** OpenSSL cipher list (TLS 1.3 suites and TLS 1.2 ciphers). */
  readonly ciphers?: string;
  readonly minVersion?: SecureVersion;
}

const PROFILE_CIPHERS: ReadonlySet<string> = new Set([...TLS13_SUITES, ...TLS12_SUITES]);
const VERSION_ORDER: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * How overrides weaken the profile, one reason per item (empty: as strong or stronger). A cipher
 * list is weaker when it names anything outside the profile: keywords like HIGH or DEFAULT expand
 * to suites the profile excludes, so only exact profile names and exclusions (!X, -X) count as safe.
 */
export function tlsProfileWeakenings(o: TlsProfileOverrides): string[] {
  const out: string[] = [];
  if (o.minVersion && VERSION_ORDER.indexOf(o.minVersion) < VERSION_ORDER.indexOf(TLS_PROFILE.minVersion)) {
    out.push(`minimum version ${o.minVersion} (profile: ${TLS_PROFILE.minVersion})`);
  }
  if (o.ciphers !== undefined) {
    const extra = o.ciphers
      .split(/[:, ]+/)
      .filter((t) => t.length > 0 && !t.startsWith('!') && !t.startsWith('-') && !PROFILE_CIPHERS.has(t));
    if (extra.length) out.push(`ciphers outside the profile: ${extra.join(', ')}`);
  }
  return out;
}

/** TLS options of the profile, with operator overrides applied. */
export function secureTlsOptions(o: TlsProfileOverrides = {}): TlsOptions {
  return {
    minVersion: o.minVersion ?? TLS_PROFILE.minVersion,
    maxVersion: TLS_PROFILE.maxVersion,
    ciphers: o.ciphers ?? TLS_PROFILE.ciphers,
    ecdhCurve: TLS_PROFILE.ecdhCurve,
    honorCipherOrder: TLS_PROFILE.honorCipherOrder,
    secureOptions: TLS_PROFILE.secureOptions,
  };
}

/** `https.createServer` options: the HTTP hardening of secureHttpOptions() plus the TLS profile and a key pair. */
export function secureHttpsOptions(o: TlsProfileOverrides & { cert: string | Buffer; key: string | Buffer }): HttpsServerOptions {
  const { cert, key, ...profile } = o;
  return { ...secureHttpOptions(), ...secureTlsOptions(profile), cert, key };
}
