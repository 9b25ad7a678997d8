import { originsOf, requireBaseline, requireForeignOriginRejected, sharedHandshake, statusLine } from '../../check-helpers.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-ORIGIN-04',
  title: 'Look-alike Origin accepted (weak matching)',
  area: 'ORIGIN',
  severity: 'high',
  mode: 'safe',
  references: ['STEWS-1', 'CWE-1385', 'OWASP-CS'],
  remediation: 'Parse Origin with a URL parser and compare scheme://host:port for exact equality with the allowlist; no regex, substring, prefix or suffix matching.',
  description: 'For each allowed origin, tries suffix, prefix/contains, unescaped-dot, port swap and parser-confusion look-alikes. Finding when any gets 101 while a foreign Origin is rejected.',
};

/** Look-alikes of one allowed origin (CHECKS.md WSG-ORIGIN-04). */
export function lookAlikes(a: URL): string[] {
  const host = a.hostname;
  const base = `${a.protocol}//${a.host}`;
  const out = [
    `${a.protocol}//x${host}`,
    `${a.protocol}//evil-${host}`,
    `${base}.wsguard-probe.example`,
    `${base}wsguard-probe.example`,
    `${a.protocol}//${host}:8443`,
    `${base}\`wsguard-probe.example`,
    `${base}_.wsguard-probe.example`,
    `${base}%60.wsguard-probe.example`,
  ];
  const dots = [...host].flatMap((c, i) => (c === '.' ? [i] : []));
  const swap = (idx: number[]) => [...host].map((c, i) => (idx.includes(i) ? 'X' : c)).join('');
  for (const i of dots) out.push(`${a.protocol}//${swap([i])}${a.port ? `:${a.port}` : ''}`);
  if (dots.length > 1) out.push(`${a.protocol}//${swap(dots)}${a.port ? `:${a.port}` : ''}`);
  return [...new Set(out)].filter((o) => o !== a.origin);
}

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  await requireForeignOriginRejected(ctx);
  const origins = originsOf(ctx);
  if (origins.length === 0) ctx.skip('no parsable allowed origin (--origin)');
  const accepted: string[] = [];
  for (const a of origins) {
    for (const variant of lookAlikes(a)) {
      const r = await sharedHandshake(ctx, `origin:${variant}`, { origin: variant });
      if (r.upgraded) accepted.push(`${variant} → ${statusLine(r)}`);
    }
  }
  if (accepted.length) ctx.report({ confidence: 'certain', evidence: `Look-alike origins accepted:\n${accepted.join('\n')}` });
}
