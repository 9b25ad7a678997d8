/**
 * Stage 'handler': runs the route's handler and answers `ack` (with the returned payload) unless the
 * handler replied itself. Throws propagate to the runner, which maps them to error frames. A
 * handler that returns synchronously keeps the stage synchronous (no promise per message).
 */
import type { AckPayload } from '../types.js';
import type { HandlerContext } from './context.js';
import type { Contextualized, Stage, StageOutcome } from './types.js';

const DONE: StageOutcome = { done: true };

export function handlerStage(): Stage<Contextualized> {
  return {
    name: 'handler',
    run: (m) => {
      const ctx = m.ctx;
      const t0 = performance.now();
      let result: AckPayload | Promise<AckPayload>;
      try {
        result = m.route.handler(ctx, m.payload);
      } catch (err) {
        observe(m, t0);
        throw err;
      }
      if (result instanceof Promise) {
        return result.then(
          (r) => finish(m, ctx, r, t0),
          (err: unknown) => {
            observe(m, t0);
            throw err;
          },
        );
      }
      return finish(m, ctx, result, t0);
    },
  };
}

function finish(m: Contextualized, ctx: HandlerContext, result: AckPayload, t0: number): StageOutcome {
  try {
    if (!ctx.replied) ctx.ack(result);
  } finally {
    observe(m, t0);
  }
  return DONE;
}

function observe(m: Contextualized, t0: number): void {
  m.core.metrics.observeHandler(m.route.type, (performance.now() - t0) / 1000);
}
