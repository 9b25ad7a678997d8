/**
 * The checks a certificate and key pair must pass before the hub serves it: at start-up
 * (loadConfig, so a bad pair is a configuration error naming its key) and at every reload
 * (hub/tls.ts), so start-up and reload accept and refuse the same files.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

/** Which of the two the problem is in, so the error can name WSGUARD_TLS_CERT or WSGUARD_TLS_KEY. */
export class TlsPairError extends Error {
  constructor(readonly file: 'cert' | 'key', reason: string) {
    super(reason);
    this.name = 'TlsPairError';
  }
}

export interface CheckedPair {
  readonly subject: string;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  readonly fingerprint256: string;
}

/** Throws a TlsPairError with a short reason: not PEM, outside its validity, or a key of another certificate. */
export function checkTlsPair(cert: string, key: string, now = Date.now()): CheckedPair {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new TlsPairError('cert', 'the certificate file holds no PEM certificate');
  }
  const notBeforeMs = Date.parse(x509.validFrom);
  const notAfterMs = Date.parse(x509.validTo);
  // Clients refuse such a certificate: serving it would only look healthy.
  if (notAfterMs <= now) throw new TlsPairError('cert', `the certificate expired on ${new Date(notAfterMs).toISOString()}`);
  if (notBeforeMs > now) throw new TlsPairError('cert', `the certificate is not valid before ${new Date(notBeforeMs).toISOString()}`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TlsPairError('key', 'the key file holds no unencrypted PEM private key');
  }
  // OpenSSL would accept a key of another certificate here and fail every handshake later.
  if (!x509.checkPrivateKey(privateKey)) throw new TlsPairError('key', 'the key does not match the certificate');
  return { subject: x509.subject.replace(/\n/g, ', '), notBeforeMs, notAfterMs, fingerprint256: x509.fingerprint256 };
}
