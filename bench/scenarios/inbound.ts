/**
 * Small valid messages per second through the whole pipeline, each acknowledged (raw ws: echo of
 * the same bytes). Several connections each keep a window of messages in flight. Also the server's
 * CPU time per message, which does not depend on how fast the generators are.
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
        const count = Math.max(1, Math.floor(inboundConnections / gens.length));
        const opened = await Promise.all(gens.map((g) => g.request<{ failed: number; error?: string }>('open', { count }, 60_000)));
        const failed = opened.find((o) => o.failed > 0);
        if (failed) throw new Error(`connections failed: ${failed.error}`);
        const cpu0 = await server.cpu();
        const results = await Promise.all(
          gens.map((g) => g.request<{ replies: number; total: number; ms: number }>('inbound', { window: inboundWindow, durationMs: inboundMs, warmupMs: 500 }, inboundMs + 60_000)),
        );
        const cpu = (await server.cpu()) - cpu0;
        const perSec = results.reduce((s, r) => s + (r.replies / r.ms) * 1000, 0);
        const total = results.reduce((s, r) => s + r.total, 0);
        return [
          { scenario: 'inbound', system, metric: 'msg_per_s', value: perSec },
          { scenario: 'inbound', system, metric: 'cpu_us_per_msg', value: cpu / total },
        ];
      }),
    ),
};
