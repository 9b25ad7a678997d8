import { statusLine } from '../../check-helpers.js';
import { isLoopbackHost } from '../../raw/target.js';
import { hasAnyCredential } from '../../request-variant.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-TLS-01',
  title: 'Plaintext ws:// accepted',
  area: 'TLS',
  severity: 'medium',
  mode: 'safe',
  references: ['ASVS 4.4.1', 'ASVS 12.2.1', 'RFC6455 §10.6', 'OWASP-CS', 'WSTG step 3'],
  remediation: 'Serve WebSockets over wss:// only: refuse or redirect plaintext upgrades (403/426), and never listen in cleartext on a non-loopback address.',
  description: 'Baseline handshake over ws:// to the same host and path, on the target port and on port 80. A ws:// target on a non-loopback host is reported directly. Finding (high when the handshake carries credentials) for a 101 over cleartext; loopback hosts are never a finding.',
};

export async function run(ctx: CheckContext): Promise<void> {
  const { host, port, tls } = ctx.endpoint;
  if (isLoopbackHost(host)) ctx.skip('loopback target: cleartext never crosses a network');
  const severity = hasAnyCredential(ctx.options.credentials) ? 'high' : 'medium';
  if (!tls) {
    const base = await ctx.baseline().catch(() => null);
    if (base?.upgraded) ctx.report({ severity, confidence: 'certain', evidence: `The target itself is ${ctx.target.href}: the handshake${severity === 'high' ? ', its credentials' : ''} and every frame travel in cleartext (${statusLine(base)}).` });
    return;
  }
  const accepted: string[] = [];
  for (const p of [...new Set([port, 80])]) {
    try {
      const r = await ctx.handshake({ endpoint: { tls: false, port: p }, raw: { timeoutMs: Math.min(3000, ctx.options.requestTimeoutMs) } });
      if (r.upgraded) accepted.push(`ws://${ctx.endpoint.hostHeader.replace(/:\d+$/, '')}:${p}${ctx.endpoint.path} → ${statusLine(r)}`);
    } catch {
      /* refused, reset or not HTTP: cleartext not served there */
    }
  }
  if (accepted.length) ctx.report({ severity, confidence: 'certain', evidence: `Cleartext WebSocket upgrade accepted:\n${accepted.join('\n')}` });
}
