import { requireBaseline, statusLine } from '../../check-helpers.js';
import { header } from '../../raw/handshake.js';
import { hasAnyCredential } from '../../request-variant.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-PROTO-08',
  title: 'Risky compression negotiation',
  area: 'PROTO',
  severity: 'low',
  mode: 'safe',
  references: ['RFC7692 §7.1', 'RFC7692 §8', 'OWASP-CS', 'STEWS-F 400'],
  remediation: 'Disable permessage-deflate on endpoints that carry secrets next to attacker-influenced data, or negotiate server_no_context_takeover; decline (no extension, or 400) offers with invalid parameters.',
  description: 'Baseline handshakes offering permessage-deflate alone, then with server_max_window_bits=7, =16, =08, client_max_window_bits=abc and an unknown parameter. Finding when compression keeps its context across messages (low on an authenticated endpoint, info otherwise) or an invalid offer is accepted (low).',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

const INVALID = [
  'permessage-deflate; server_max_window_bits=7',
  'permessage-deflate; server_max_window_bits=16',
  'permessage-deflate; server_max_window_bits=08',
  'permessage-deflate; client_max_window_bits=abc',
  'permessage-deflate; wsguard_unknown_param=1',
];

async function offer(ctx: CheckContext, value: string): Promise<{ accepted: string | null; status: string }> {
  try {
    const r = await ctx.handshake({ headers: { 'Sec-WebSocket-Extensions': value } });
    const ext = r.upgraded ? header(r.response, 'sec-websocket-extensions') ?? null : null;
    return { accepted: ext && /permessage-deflate/i.test(ext) ? ext : null, status: statusLine(r) };
  } catch (e) {
    return { accepted: null, status: (e as Error).message };
  }
}

/** Six handshakes one after another. */
export function timeoutMs(o: AuditOptions): number {
  return Math.max(o.timeoutMs, (1 + INVALID.length) * o.requestTimeoutMs);
}

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  // One probe at a time: against a fragile server, probes sent together blur which one did the damage.
  const plain = await offer(ctx, 'permessage-deflate');
  const bad: Array<Awaited<ReturnType<typeof offer>>> = [];
  for (const v of INVALID) bad.push(await offer(ctx, v));
  const accepted = INVALID.filter((_, i) => bad[i]?.accepted);
  if (accepted.length) {
    ctx.report({ title: 'Invalid permessage-deflate parameters accepted', confidence: 'certain', evidence: `Got 101 with permessage-deflate for: ${accepted.map((v) => `"${v.slice(20)}"`).join(', ')} (expected no extension or 400).` });
  }
  if (plain?.accepted && !/server_no_context_takeover/i.test(plain.accepted)) {
    const authenticated = hasAnyCredential(ctx.options.credentials);
    ctx.report({
      severity: authenticated ? 'low' : 'info',
      confidence: 'certain',
      evidence: `permessage-deflate negotiated with context takeover (Sec-WebSocket-Extensions: ${plain.accepted.slice(0, 80)})${authenticated ? ' on an authenticated endpoint: secrets and attacker-influenced data can share one compression context' : ''}.`,
    });
  }
}
