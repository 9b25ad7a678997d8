/** Stage 'rate-limit': per-connection token bucket; an empty bucket answers rate_limited (a violation, so a flood ends in 1008). */
import type { PipelineStage } from './types.js';

export function rateLimitStage(): PipelineStage {
  return {
    name: 'rate-limit',
    run: (m) => (m.conn.bucket.take(m.receivedAt) ? undefined : { error: 'rate_limited', violation: 'rate_limited' }),
  };
}
