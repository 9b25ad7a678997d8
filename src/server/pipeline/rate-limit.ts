/**
 * Stage 'rate-limit': per-connection token bucket (timed by arrival, so its place in the pipeline
 * does not change what it admits); an empty bucket answers rate_limited (a violation, so a flood
 * ends in 1008 after a few refusals). It runs after the bounded parse so the refusal carries the
 * request's id: a client can fail exactly that request instead of waiting for a timeout.
 */
import type { PipelineStage } from './types.js';

export function rateLimitStage(): PipelineStage {
  return {
    name: 'rate-limit',
    run: (m) => (m.conn.bucket.take(m.receivedAt) ? undefined : { error: 'rate_limited', violation: 'rate_limited' }),
  };
}
