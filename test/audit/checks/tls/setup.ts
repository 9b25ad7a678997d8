/** Shared by the TLS check tests (one file per check id). */
import { before } from 'node:test';
import { networkInterfaces } from 'node:os';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { caSignedCert, hasOpenssl, selfSignedCert, type TestCerts } from '../../../fixtures/tls-certs.js';
import { ALLOWED, runCheck, track } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

export const opensslMissing = !hasOpenssl();
export let selfSigned: TestCerts;
export let caSigned: TestCerts;
before(() => {
  if (opensslMissing) return;
  selfSigned = selfSignedCert();
  caSigned = caSignedCert();
});

export const STRONG = 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305';

export async function audit(id: string, weak: WeakServerOptions, extra: AuditOptionsInput = {}) {
  const s = await startWeakServer({ auth: 'none', ...weak });
  track(s);
  return runCheck(id, s.url, { allowedOrigins: [ALLOWED], ...extra });
}

/** A non-loopback IPv4 address of this machine (TLS-01 ignores loopback targets). */
export function lanAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}
