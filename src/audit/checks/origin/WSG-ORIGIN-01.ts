import { cswshSeverity, foreignOriginProbe, PROBE_ORIGIN, requireBaseline, statusLine } from '../../check-helpers.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-ORIGIN-01',
  title: 'Foreign Origin accepted (CSWSH)',
  area: 'ORIGIN',
  severity: 'high',
  mode: 'safe',
  references: ['RFC6455 §10.2', 'ASVS 4.4.2', 'CWE-1385', 'OWASP-CS', 'PS', 'WSTG step 2', 'STEWS-1', 'ZAPC-100025'],
  remediation: 'Check the Origin header against an exact allowlist before answering 101, and answer 403 otherwise (RFC 6455 §10.2).',
  description: `Baseline handshake with Origin ${PROBE_ORIGIN}. Finding when it gets 101: high with ambient credentials (cookie, HTTP auth), medium with other credentials, info for public unauthenticated endpoints.`,
};

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  const r = await foreignOriginProbe(ctx);
  if (!r.upgraded) return;
  const severity = cswshSeverity(ctx);
  ctx.report({
    confidence: 'certain',
    severity,
    evidence: `Handshake with Origin: ${PROBE_ORIGIN} and the baseline credentials got ${statusLine(r)}${severity === 'high' ? '; the handshake is authenticated by an ambient credential, so any web page can open this socket as its visitor' : ''}.`,
  });
}
