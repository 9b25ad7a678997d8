/** N authenticated idle connections: server RSS and heap growth per connection, after a full GC. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../lib/clock.js';
import { split, withGenerators, withServer } from '../lib/harness.js';
import type { Scenario } from './types.js';

export const idle: Scenario = {
  id: 'idle',
  metric: 'rss_bytes_per_conn',
  higherIsBetter: false,
  systems: ['wsguard', 'ws', 'socket.io'],
  run: (ctx, system) =>
    withServer(ctx, { system, scenario: 'idle' }, (server) =>
      withGenerators(server.target, ctx.profile.generators, async (gens) => {
        const before = await server.mem();
        const results = await Promise.all(
          split(ctx.profile.idleConnections, gens.length).map((count, i) => gens[i]!.request<{ opened: number; failed: number; error?: string }>('open', { count }, 300_000)),
        );
        const opened = results.reduce((s, r) => s + r.opened, 0);
        const failed = results.reduce((s, r) => s + r.failed, 0);
        if (failed > 0) ctx.notes.add(`idle/${system}: ${failed} of ${ctx.profile.idleConnections} connections failed (${results.find((r) => r.error)?.error}); per-connection figures use the ${opened} that opened`);
        if (opened === 0) throw new Error('no connection opened');
        // Let handshake leftovers (timers, buffers) settle before the reading.
        await sleep(1_000);
        const after = await server.mem();
        ctx.log(`${system}: ${opened} connections, RSS +${((after.rss - before.rss) / 1e6).toFixed(1)} MB`);
        if (ctx.heapDir) {
          mkdirSync(ctx.heapDir, { recursive: true });
          ctx.log(`heap snapshot: ${await server.child.request<string>('heap', { path: join(ctx.heapDir, `idle-${system}-${opened}.heapsnapshot`) }, 300_000)}`);
        }
        return [
          { scenario: 'idle', system, metric: 'rss_bytes_per_conn', value: Math.round((after.rss - before.rss) / opened) },
          { scenario: 'idle', system, metric: 'heap_bytes_per_conn', value: Math.round((after.heapUsed - before.heapUsed) / opened) },
          { scenario: 'idle', system, metric: 'connections', value: opened },
        ];
      }),
    ),
};
