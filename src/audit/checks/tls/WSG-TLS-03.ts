import net from 'node:net';
import { trustedCa } from '../../raw/trust.js';
import tls from 'node:tls';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-TLS-03',
  title: 'Certificate not valid for the host name',
  area: 'TLS',
  severity: 'medium',
  mode: 'safe',
  references: ['ASVS 12.2.2'],
  remediation: 'Serve a publicly trusted certificate that matches the host name, and renew it automatically well before expiry.',
  description: 'Full chain validation against the system trust store (plus --ca if given), a check of the target host name, and the expiry window. Finding for self-signed, untrusted, mismatched or expired certificates; low when it expires within 14 days.',
};

const WARN_DAYS = 14;

export async function run(ctx: CheckContext): Promise<void> {
  const { host, port, tls: isTls } = ctx.endpoint;
  if (!isTls) ctx.skip('target is not wss://');
  const ca = trustedCa(ctx.options.ca);
  const outcome = await new Promise<{ error?: string; validTo?: string; subject?: string }>((resolve) => {
    const socket = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: false, ca });
    const timer = setTimeout(() => { socket.destroy(); resolve({ error: 'TLS handshake timed out' }); }, ctx.options.requestTimeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerCertificate();
      let error: string | undefined = socket.authorizationError ? String(socket.authorizationError) : undefined;
      if (!error) {
        const mismatch = tls.checkServerIdentity(host, cert);
        if (mismatch) error = `${mismatch.message}`;
      }
      socket.destroy();
      resolve({ error, validTo: cert.valid_to, subject: cert.subject?.CN ? String(cert.subject.CN) : undefined });
    });
    socket.once('error', (e) => { clearTimeout(timer); resolve({ error: `TLS error before validation: ${e.message}` }); });
  });
  if (outcome.error?.startsWith('TLS error before') || outcome.error === 'TLS handshake timed out') ctx.skip(outcome.error);
  if (outcome.error) {
    ctx.report({ confidence: 'certain', evidence: `Certificate for ${host}${outcome.subject ? ` (CN=${outcome.subject})` : ''} fails validation: ${outcome.error}` });
    return;
  }
  const days = outcome.validTo ? (Date.parse(outcome.validTo) - Date.now()) / 86_400_000 : Infinity;
  if (days < WARN_DAYS) ctx.report({ severity: 'low', confidence: 'certain', evidence: `Certificate expires in ${Math.max(0, Math.floor(days))} days (${outcome.validTo}).` });
}
