/** New authenticated connections per second (connect, wait until ready, close, repeat), and server CPU per connection. */
import { withGenerators, withServer } from '../lib/harness.js';
import type { Scenario } from './types.js';

export const handshake: Scenario = {
  id: 'handshake',
  metric: 'conn_per_s',
  higherIsBetter: true,
  systems: ['wsguard', 'wsguard-ticket', 'ws', 'socket.io'],
  run: (ctx, system) =>
    withServer(ctx, { system, scenario: 'handshake' }, (server) =>
      withGenerators(server.target, ctx.profile.generators, async (gens) => {
        const concurrency = Math.max(1, Math.floor(ctx.profile.handshakeConcurrency / gens.length));
        const cpu0 = await server.cpu();
        const results = await Promise.all(
          gens.map((g) => g.request<{ count: number; failed: number; ms: number; error?: string }>('handshakes', { durationMs: ctx.profile.handshakeMs, concurrency }, ctx.profile.handshakeMs + 60_000)),
        );
        const cpu = (await server.cpu()) - cpu0;
        const count = results.reduce((s, r) => s + r.count, 0);
        const failed = results.reduce((s, r) => s + r.failed, 0);
        if (failed > 0) ctx.notes.add(`handshake/${system}: ${failed} handshakes failed (${results.find((r) => r.error)?.error})`);
        const ms = Math.max(...results.map((r) => r.ms));
        return [
          { scenario: 'handshake', system, metric: 'conn_per_s', value: (count / ms) * 1000 },
          { scenario: 'handshake', system, metric: 'cpu_us_per_conn', value: cpu / count },
        ];
      }),
    ),
};
