import tls from 'node:tls';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-TLS-02',
  title: 'Weak TLS versions or suites on wss',
  area: 'TLS',
  severity: 'medium',
  mode: 'safe',
  references: ['ASVS 12.1.1', 'ASVS 12.1.2', 'WSTG → WSTG-CRYP-01'],
  remediation: "Allow only TLS 1.2 and 1.3 with AEAD, forward-secret suites (Node: minVersion 'TLSv1.2' and an ECDHE-…-GCM / CHACHA20 cipher list).",
  description: 'TLS handshakes pinned to TLS 1.0 and 1.1 (SSLv3 when the local OpenSSL still offers it), then TLS 1.2 offering only non-forward-secret, CBC-SHA1, 3DES, RC4, NULL or EXPORT suites. Finding when any completes. Probes the local OpenSSL cannot make are listed as untested.',
};

interface Probe { label: string; opts: tls.ConnectionOptions }

const PROBES: Probe[] = [
  { label: 'TLS 1.0', opts: { minVersion: 'TLSv1', maxVersion: 'TLSv1' } },
  { label: 'TLS 1.1', opts: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' } },
  ...[
    ['non-forward-secret RSA key exchange', 'AES128-SHA:AES256-SHA:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256'],
    ['CBC with SHA-1', 'ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA'],
    ['3DES', 'DES-CBC3-SHA:ECDHE-RSA-DES-CBC3-SHA'],
    ['RC4', 'RC4-SHA:RC4-MD5:ECDHE-RSA-RC4-SHA'],
    ['NULL cipher', 'NULL-SHA:NULL-SHA256:ECDHE-RSA-NULL-SHA'],
    ['EXPORT', 'EXP-RC4-MD5:EXP-DES-CBC-SHA'],
  ].map(([label, ciphers]) => ({ label: `TLS 1.2 ${label}`, opts: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: `${ciphers}:@SECLEVEL=0` } as tls.ConnectionOptions })),
];

type Outcome = { ok: true; protocol: string; cipher: string } | { ok: false; untestable: boolean; error: string };

function attempt(host: string, port: number, servername: string | undefined, opts: tls.ConnectionOptions, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({ host, port, servername, rejectUnauthorized: false, ciphers: 'DEFAULT:@SECLEVEL=0', ...opts });
    } catch (e) {
      resolve({ ok: false, untestable: true, error: (e as Error).message });
      return;
    }
    const timer = setTimeout(() => { socket.destroy(); resolve({ ok: false, untestable: false, error: 'timeout' }); }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const out: Outcome = { ok: true, protocol: socket.getProtocol() ?? '?', cipher: socket.getCipher().name };
      socket.destroy();
      resolve(out);
    });
    socket.once('error', (e: Error & { code?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      // Errors raised before anything reaches the server mean our OpenSSL cannot offer it.
      const local = /no cipher|NO_CIPHERS|unsupported protocol|NO_PROTOCOLS|no protocols available/i.test(`${e.code ?? ''} ${e.message}`) && !/alert/i.test(e.message);
      resolve({ ok: false, untestable: local, error: e.code ?? e.message });
    });
  });
}

export async function run(ctx: CheckContext): Promise<void> {
  const { host, port, tls: isTls } = ctx.endpoint;
  if (!isTls) ctx.skip('target is not wss://');
  const servername = /^[\d.]+$|:/.test(host) ? undefined : host;
  const weak: string[] = [];
  const untested: string[] = [];
  for (const p of PROBES) {
    if (ctx.signal.aborted) break;
    const r = await attempt(host, port, servername, p.opts, ctx.options.requestTimeoutMs);
    if (r.ok) weak.push(`${p.label}: negotiated ${r.protocol} ${r.cipher}`);
    else if (r.untestable) untested.push(p.label);
  }
  const note = untested.length ? `\nNot testable with the local OpenSSL: SSLv3, ${untested.join(', ')}.` : '\nNot testable with the local OpenSSL: SSLv3.';
  if (weak.length) ctx.report({ confidence: 'certain', evidence: `Weak TLS handshakes completed:\n${weak.join('\n')}${note}` });
}
