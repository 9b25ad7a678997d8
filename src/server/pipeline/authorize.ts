/** Stage 'authorize': the route's authorize hook; false answers forbidden (a violation). */
import { handlerContext } from './context.js';
import type { PipelineStage } from './types.js';

export function authorizeStage(): PipelineStage {
  return {
    name: 'authorize',
    run: async (m) => {
      const hook = m.route!.authorize;
      if (!hook) return undefined;
      return (await hook(handlerContext(m), m.payload)) === true ? undefined : { error: 'forbidden', violation: 'forbidden' };
    },
  };
}
