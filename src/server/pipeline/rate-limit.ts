/**
 * Stage 'rate-limit': per-connection token bucket, charged by arrival time, not processing time:
 * its place in the pipeline and a queue in front of it do not change what it admits, and a frame
 * buffered during an event-loop stall is charged within the stall (arrival.ts), so a server stall
 * never closes a client that kept its rate. An empty bucket answers rate_limited (a violation, so a flood
 * ends in 1008 after a few refusals). It runs after the bounded parse so the refusal carries the
 * request's id: a client can fail exactly that request instead of waiting for a timeout.
 */
import { watchTurns } from './arrival.js';
import type { InboundMessage, Stage } from './types.js';

export function rateLimitStage(): Stage<InboundMessage> {
  watchTurns();
  return {
    name: 'rate-limit',
    ahead: 'check',
    run: (m) => (m.conn.bucket.takeWithin(m.arrivedFrom, m.receivedAt) ? undefined : { error: 'rate_limited', violation: 'rate_limited' }),
  };
}
