/** Runs gate stages in order; the first refusal wins. A stage that throws refuses with 503, never crashes. */
import type { GateStage, HandshakeContext, Refusal } from './types.js';

export type GateResult = { readonly ok: true } | { readonly ok: false; readonly stage: string; readonly refusal: Refusal; readonly error?: unknown };

const PASSED: GateResult = Object.freeze({ ok: true });

export async function runGate(stages: readonly GateStage[], ctx: HandshakeContext): Promise<GateResult> {
  for (const stage of stages) {
    let refusal: Refusal | undefined;
    try {
      const outcome = stage.run(ctx);
      // Most stages answer synchronously: awaiting only real promises spares a microtask per stage per handshake.
      refusal = outcome !== undefined && typeof (outcome as PromiseLike<unknown>).then === 'function' ? await outcome : (outcome as Refusal | undefined);
    } catch (error) {
      return { ok: false, stage: stage.name, refusal: { status: 503, reason: 'internal' }, error };
    }
    if (refusal) return { ok: false, stage: stage.name, refusal };
  }
  return PASSED;
}
