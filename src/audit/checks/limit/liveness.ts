/**
 * "Did the probe take the target down?" for the intrusive LIMIT/INPUT/AUTHZ checks. A failed
 * baseline is only a crash when nothing answers HTTP (or a proxy says the backend is gone):
 * a 429/503 after a flood is throttling, and the target is alive.
 */
import type { CheckContext } from '../../types.js';

export async function targetDown(ctx: CheckContext): Promise<boolean> {
  if (await ctx.liveness()) return false;
  try {
    const r = await ctx.handshake({ acceptThrottle: true, raw: { timeoutMs: 5000 } });
    return r.response.status === 502 || r.response.status === 504;
  } catch {
    return true;
  }
}

/** Reports a crash-class finding (high, certain) when the target stopped answering after `what`. */
export async function reportIfDown(ctx: CheckContext, what: string): Promise<boolean> {
  const down = await targetDown(ctx);
  if (down) ctx.report({ severity: 'high', confidence: 'certain', evidence: `After ${what} the target no longer completes a baseline handshake (crash-class).` });
  return down;
}
