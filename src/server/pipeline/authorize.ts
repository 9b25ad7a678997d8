/**
 * Stage 'authorize': builds the message's one handler context (the handler gets the same) and runs
 * the route's authorize hook; false answers forbidden (a violation). Synchronous hooks keep it synchronous.
 */
import { handlerContext } from './context.js';
import type { Contextualized, Routed, Stage, StageOutcome } from './types.js';

const FORBIDDEN: StageOutcome = { error: 'forbidden', violation: 'forbidden' };

export function authorizeStage(): Stage<Routed, Contextualized> {
  return {
    name: 'authorize',
    ahead: 'check',
    run: (m) => {
      const ctx = (m.ctx = handlerContext(m));
      const hook = m.route.authorize;
      if (!hook) return undefined;
      const allowed = hook(ctx, m.payload);
      if (allowed instanceof Promise) return allowed.then((ok) => (ok === true ? undefined : FORBIDDEN));
      return allowed === true ? undefined : FORBIDDEN;
    },
  };
}
