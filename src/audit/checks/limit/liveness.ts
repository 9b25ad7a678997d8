/**
 * "Did the probe take the target down?" for the intrusive LIMIT/INPUT/AUTHZ/PROTO checks. One
 * quick probe (probeAlive: a 429/503 after a flood is throttling, the target is alive); when it
 * gets no answer the check stops and notes what it had just sent. The check files nothing: the
 * runner confirms with a bounded back-off and WSG-LIVE-01 (down) or WSG-LIVE-02 (slow to
 * recover) reports it, naming this check and input.
 */
import { probeAlive } from '../../liveness.js';
import type { CheckContext } from '../../types.js';

export async function targetDown(ctx: CheckContext): Promise<boolean> {
  return !(await probeAlive(ctx)).alive;
}

/** True (and the input noted for WSG-LIVE-01/02) when the target stopped answering after `what`. */
export async function reportIfDown(ctx: CheckContext, what: string): Promise<boolean> {
  const down = await targetDown(ctx);
  if (down) ctx.noteDown(what);
  return down;
}
