import { limitOptions } from '../../options.js';
import { reportIfDown } from './liveness.js';
import type { AuditOptions, AuditSocket, CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-LIMIT-06',
  title: 'No concurrent-connection cap',
  area: 'LIMIT',
  severity: 'medium',
  mode: 'intrusive',
  references: ['OWASP-CS', 'ASVS 13.1.2'],
  remediation: 'Cap connections per user (wsguard: 10) and per IP (50) before the upgrade, plus a global maximum; refuse with 429/503 and Retry-After.',
  description: 'Opens baseline connections from one identity in steps of 10 up to --max-conns (default 100), holding them open. Pass at the first refusal (non-101, or a close such as 1013/1008 right after opening); finding when all are accepted and held.',
};

const STEP = 10;
/** Runs late: a cap may throttle this client for a while. */
export const phase = 1;

export function timeoutMs(o: AuditOptions): number {
  return Math.ceil(limitOptions(o).maxConns / STEP) * (o.requestTimeoutMs + 500) + 10_000;
}

async function probe(ctx: CheckContext): Promise<void> {
  const max = limitOptions(ctx.options).maxConns;
  const held: AuditSocket[] = [];
  try {
    while (held.length < max) {
      const n = Math.min(STEP, max - held.length);
      const step = await Promise.all(Array.from({ length: n }, () => ctx.connect({ acceptThrottle: true })));
      for (const r of step) {
        if (!r.ok) return; // refused: a cap exists
        held.push(r.socket);
      }
      await ctx.sleep(200);
      if (held.some((s) => s.closed)) return; // closed right after opening: refused
    }
    ctx.report({ confidence: 'certain', evidence: `${held.length} concurrent connections from one identity and address were all accepted and held open.` });
  } finally {
    for (const s of held) s.close();
  }
}

export async function run(ctx: CheckContext): Promise<void> {
  await probe(ctx);
  await reportIfDown(ctx, 'holding many connections');
}
