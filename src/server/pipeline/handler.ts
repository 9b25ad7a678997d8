/**
 * Stage 'handler': runs the route's handler and answers `ack` (with the returned payload) unless the
 * handler replied itself. Throws propagate to the runner, which maps them to error frames.
 */
import { handlerContext } from './context.js';
import type { PipelineStage } from './types.js';

export function handlerStage(): PipelineStage {
  return {
    name: 'handler',
    run: async (m) => {
      const ctx = handlerContext(m);
      const stop = m.core.metrics.handlerSeconds.startTimer({ type: ctx.type });
      try {
        const result = await m.route!.handler(ctx, m.payload);
        if (!ctx.replied) ctx.reply({ type: 'ack', payload: result ?? {} });
      } finally {
        stop();
      }
      return { done: true };
    },
  };
}
