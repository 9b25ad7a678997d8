/**
 * One event to S subscribers, events published one after another: deliveries per second (S per
 * event over publish→last receipt), server CPU per delivery, and publish→receipt latency p50/p99
 * over every delivery.
 */
import { split, withGenerators, withServer } from '../lib/harness.js';
import { percentile } from '../lib/stats.js';
import type { Scenario } from './types.js';

const WARMUP_EVENTS = 2;

export const fanout: Scenario = {
  id: 'fanout',
  metric: 'deliveries_per_s',
  higherIsBetter: true,
  systems: ['wsguard', 'ws', 'socket.io'],
  run: (ctx, system) =>
    withServer(ctx, { system, scenario: 'fanout' }, (server) =>
      withGenerators(server.target, ctx.profile.generators, async (gens) => {
        const S = ctx.profile.fanoutSubscribers;
        await Promise.all(split(S, gens.length).map((count, i) => gens[i]!.request('subscribe', { count }, 300_000)));
        const publisher = gens[0]!;
        let busyMs = 0;
        let cpu0 = 0;
        const total = WARMUP_EVENTS + ctx.profile.fanoutEvents;
        for (let idx = 0; idx < total; idx++) {
          if (idx === WARMUP_EVENTS) {
            await Promise.all(gens.map((g) => g.request('latencies')));
            cpu0 = await server.cpu();
          }
          const { sentAt } = await publisher.request<{ sentAt: number }>('publish', { idx }, 30_000);
          const lasts = await Promise.all(gens.map((g) => g.request<{ last: number }>('awaitEvent', { idx, timeoutMs: 30_000 }, 35_000)));
          if (idx >= WARMUP_EVENTS) busyMs += Math.max(...lasts.map((l) => l.last)) - sentAt;
        }
        const cpu = (await server.cpu()) - cpu0;
        const latencies = (await Promise.all(gens.map((g) => g.request<number[]>('latencies')))).flat();
        return [
          { scenario: 'fanout', system, metric: 'deliveries_per_s', value: ((S * ctx.profile.fanoutEvents) / busyMs) * 1000 },
          { scenario: 'fanout', system, metric: 'cpu_us_per_delivery', value: cpu / (S * ctx.profile.fanoutEvents) },
          { scenario: 'fanout', system, metric: 'p50_ms', value: percentile(latencies, 50) },
          { scenario: 'fanout', system, metric: 'p99_ms', value: percentile(latencies, 99) },
        ];
      }),
    ),
};
