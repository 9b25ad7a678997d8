/** Stage 'authorize': the route's authorize hook; false answers forbidden (a violation). Synchronous hooks keep it synchronous. */
import { handlerContext } from './context.js';
import type { PipelineStage, StageOutcome } from './types.js';

const FORBIDDEN: StageOutcome = { error: 'forbidden', violation: 'forbidden' };

export function authorizeStage(): PipelineStage {
  return {
    name: 'authorize',
    run: (m) => {
      const hook = m.route!.authorize;
      if (!hook) return undefined;
      const allowed = hook(handlerContext(m), m.payload);
      if (allowed instanceof Promise) return allowed.then((ok) => (ok === true ? undefined : FORBIDDEN));
      return allowed === true ? undefined : FORBIDDEN;
    },
  };
}
