/**
 * Which certificate authorities the auditor trusts for wss:// targets: Node's store (which
 * already holds NODE_EXTRA_CA_CERTS) plus the operator's --ca. Passing `ca` replaces Node's
 * default store, so the roots and the NODE_EXTRA_CA_CERTS file are added back explicitly.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

export function trustedCa(extraPem?: string): string[] | undefined {
  if (!extraPem) return undefined;
  const out = [...tls.rootCertificates];
  const envFile = process.env.NODE_EXTRA_CA_CERTS;
  if (envFile) {
    try {
      out.push(readFileSync(envFile, 'utf8'));
    } catch {
      /* Node itself warns about an unreadable NODE_EXTRA_CA_CERTS at startup */
    }
  }
  out.push(extraPem);
  return out;
}

/** OpenSSL/Node verification codes: the certificate chain or name is not trusted. */
const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(?:GET|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME/;

export function isCertificateError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CERT_CODES.test(code);
}
