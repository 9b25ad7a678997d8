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
    // Runs ahead only for a pipelined route; its answer still waits for the earlier ones (`after`).
    ahead: 'pipelined',
    run: (m) => {
      const ctx = m.ctx;
      const after = m.after;
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
          (r) => {
            observe(m, t0);
            return after === undefined ? answer(ctx, r) : after.then(() => answer(ctx, r));
          },
          (err: unknown) => {
            observe(m, t0);
            if (after === undefined) throw err;
            return after.then(() => {
              throw err;
            });
          },
        );
      }
      observe(m, t0);
      return after === undefined ? answer(ctx, result) : after.then(() => answer(ctx, result));
    },
  };
}

function answer(ctx: HandlerContext, result: AckPayload): StageOutcome {
  if (!ctx.replied) ctx.ack(result);
  return DONE;
}

function observe(m: Contextualized, t0: number): void {
  m.core.metrics.observeHandler(m.route.type, (performance.now() - t0) / 1000);
}
