import { anonymousProbe } from '../../check-helpers.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-AUTH-01',
  title: 'Unauthenticated access',
  area: 'AUTH',
  severity: 'high',
  mode: 'safe',
  references: ['WSTG step 4', 'OWASP-CS', 'CWE-1385 mitigations', 'ws README auth pattern (S13)'],
  remediation: 'Authenticate before the upgrade and answer 401/403 without credentials (or, for first-message auth, close 4401/1008 without sending data).',
  description: 'Handshake without cookie, Authorization, token or ticket; if it upgrades, sends the operator canary (--canary) and waits. Finding when the canary (or an unsolicited push) returns protected data. Without --canary an open anonymous socket is reported as skipped, not pass.',
};

/** Sends failing credentials: runs after the other checks (the target may throttle us). */
export const phase = 1;

export async function run(ctx: CheckContext): Promise<void> {
  const p = await anonymousProbe(ctx);
  if (p.outcome === 'unknown') ctx.skip(p.detail);
  if (p.outcome === 'accepted') {
    ctx.report({ confidence: p.confidence, evidence: `Connection without any credential: ${p.detail}` });
  }
}
