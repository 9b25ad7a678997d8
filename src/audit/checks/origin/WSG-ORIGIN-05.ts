import net from 'node:net';
import { originsOf, requireBaseline, requireForeignOriginRejected, sharedHandshake, statusLine } from '../../check-helpers.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-ORIGIN-05',
  title: 'Any subdomain or http scheme accepted',
  area: 'ORIGIN',
  severity: 'medium',
  mode: 'safe',
  references: ['STEWS-1'],
  remediation: 'Allow subdomains only through explicit entries matched on label boundaries, https only; reject http: origins unless listed.',
  description: 'Tries https://wsguard-probe.<registrable domain of each allowed origin> and http://<host of each allowed origin>. Finding when either gets 101 (and is not itself allowlisted).',
};

/** Registrable domain, approximated as the last two labels (no public-suffix list). */
function registrable(host: string): string | null {
  if (net.isIP(host) || !host.includes('.')) return null;
  return host.split('.').slice(-2).join('.');
}

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  await requireForeignOriginRejected(ctx);
  const allowed = new Set(ctx.options.allowedOrigins);
  const variants = new Set<string>();
  for (const a of originsOf(ctx)) {
    const reg = registrable(a.hostname);
    if (reg) variants.add(`https://wsguard-probe.${reg}`);
    if (a.protocol === 'https:') variants.add(`http://${a.host}`);
  }
  const accepted: string[] = [];
  for (const v of [...variants].filter((x) => !allowed.has(x))) {
    const r = await sharedHandshake(ctx, `origin:${v}`, { origin: v });
    if (r.upgraded) accepted.push(`${v} → ${statusLine(r)}`);
  }
  if (variants.size === 0) ctx.skip('allowed origins have no subdomain or http variant to try');
  if (accepted.length) ctx.report({ confidence: 'certain', evidence: `Origins not on the allowlist accepted:\n${accepted.join('\n')}` });
}
