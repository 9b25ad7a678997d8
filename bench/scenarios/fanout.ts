/**
 * One event to S subscribers, events published one after another: deliveries per second (S per
 * event over publish→last receipt), server CPU per delivery, and publish→receipt latency p50/p99
 * over every delivery. Then bursts of BURST events sent in one write (a folder upload):
 * `burst_deliveries_per_s` and `burst_cpu_us_per_delivery`, where a server that coalesces the
 * frames of one tick into one write per subscriber pays one syscall per burst instead of per event.
 */
import { split, withGenerators, withServer } from '../lib/harness.js';
import { percentile } from '../lib/stats.js';
import type { Scenario } from './types.js';

const WARMUP_EVENTS = 2;
/** wsguard's default 20 msg/s per connection would throttle the publisher (bursts, fast machines). */
const RAISED_RATE = { perSec: 1_000_000, burst: 1_000_000 };
const BURST = 10;

export const fanout: Scenario = {
  id: 'fanout',
  metric: 'deliveries_per_s',
  higherIsBetter: true,
  // floor: a bare node:net server writing one prebuilt frame per subscriber (the transport's floor).
  systems: ['wsguard', 'ws', 'socket.io', 'floor'],
  run: (ctx, system) =>
    withServer(ctx, { system, scenario: 'fanout', ...(system === 'wsguard' ? { messageRate: RAISED_RATE } : {}) }, (server) =>
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
        // Bursts: BURST events in one write, timed from the write to the last subscriber's last event.
        const bursts = Math.max(1, Math.floor(ctx.profile.fanoutEvents / BURST));
        let burstMs = 0;
        const bcpu0 = await server.cpu();
        for (let b = 0; b < bursts; b++) {
          const from = total + b * BURST;
          const { sentAt } = await publisher.request<{ sentAt: number }>('publishBurst', { from, count: BURST }, 35_000);
          const lasts = await Promise.all(gens.map((g) => g.request<{ last: number }>('awaitEvent', { idx: from + BURST - 1, timeoutMs: 30_000 }, 35_000)));
          burstMs += Math.max(...lasts.map((l) => l.last)) - sentAt;
        }
        const bcpu = (await server.cpu()) - bcpu0;
        await Promise.all(gens.map((g) => g.request('latencies')));
        return [
          { scenario: 'fanout', system, metric: 'deliveries_per_s', value: ((S * ctx.profile.fanoutEvents) / busyMs) * 1000 },
          { scenario: 'fanout', system, metric: 'cpu_us_per_delivery', value: cpu / (S * ctx.profile.fanoutEvents) },
          { scenario: 'fanout', system, metric: 'p50_ms', value: percentile(latencies, 50) },
          { scenario: 'fanout', system, metric: 'p99_ms', value: percentile(latencies, 99) },
          { scenario: 'fanout', system, metric: 'burst_deliveries_per_s', value: ((S * bursts * BURST) / burstMs) * 1000 },
          { scenario: 'fanout', system, metric: 'burst_cpu_us_per_delivery', value: bcpu / (S * bursts * BURST) },
        ];
      }),
    ),
};
