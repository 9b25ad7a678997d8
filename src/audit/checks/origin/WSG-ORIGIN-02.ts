import { requireBaseline, requireForeignOriginRejected, sharedHandshake, statusLine } from '../../check-helpers.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-ORIGIN-02',
  title: '`Origin: null` accepted',
  area: 'ORIGIN',
  severity: 'high',
  mode: 'safe',
  references: ['STEWS-1', 'PortSwigger CORS research'],
  remediation: 'Never treat the literal origin "null" as allowed; sandboxed iframes, data: URLs and some redirects send it.',
  description: 'Baseline handshake with `Origin: null`. Finding when it gets 101 while a foreign Origin is rejected.',
};

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  await requireForeignOriginRejected(ctx);
  const r = await sharedHandshake(ctx, 'origin:null', { origin: 'null' });
  if (r.upgraded) ctx.report({ confidence: 'certain', evidence: `Handshake with Origin: null got ${statusLine(r)}; a sandboxed iframe on any site sends this Origin.` });
}
