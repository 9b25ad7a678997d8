/**
 * Small valid messages per second through the whole pipeline, each acknowledged (raw ws: echo of
 * the same bytes). Several connections each keep a window of messages in flight.
 */
import { withGenerators, withServer } from '../lib/harness.js';
import type { Scenario } from './types.js';

/** wsguard's default 20 msg/s per connection would measure the limiter, not the pipeline. */
const RAISED_RATE = { perSec: 1_000_000, burst: 1_000_000 };

export const inbound: Scenario = {
  id: 'inbound',
  metric: 'msg_per_s',
  higherIsBetter: true,
  systems: ['wsguard', 'ws', 'socket.io'],
  run: (ctx, system) =>
    withServer(ctx, { system, scenario: 'inbound', ...(system === 'wsguard' ? { messageRate: RAISED_RATE } : {}) }, (server) =>
      withGenerators(server.target, ctx.profile.generators, async (gens) => {
        const { inboundConnections, inboundWindow, inboundMs } = ctx.profile;
        const connections = Math.max(1, Math.floor(inboundConnections / gens.length));
        const results = await Promise.all(
          gens.map((g) => g.request<{ replies: number; ms: number }>('inbound', { connections, window: inboundWindow, durationMs: inboundMs, warmupMs: 500 }, inboundMs + 60_000)),
        );
        const perSec = results.reduce((s, r) => s + (r.replies / r.ms) * 1000, 0);
        return [{ scenario: 'inbound', system, metric: 'msg_per_s', value: perSec }];
      }),
    ),
};
