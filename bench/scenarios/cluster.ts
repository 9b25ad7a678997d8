/**
 * Multi-node fan-out, the comparison teams make when they outgrow one process: 3 wsguard hub nodes
 * on one Redis against 3 Socket.IO nodes with `@socket.io/redis-adapter` (pub/sub) and with
 * `@socket.io/redis-streams-adapter`. Subscribers are spread over the nodes (one load generator
 * per node), the publisher is on node 0.
 *
 * 1. Throughput: events one after another, as in `fanout`: deliveries/s, p50/p99 publish→receipt,
 *    the nodes' CPU per delivery and Redis's CPU per event (INFO cpu delta).
 * 2. Loss: events at a steady pace while node 2's Redis link (every connection, through a TCP
 *    forwarder) is cut for `clusterCutMs` mid-run; then every subscriber's missing events are
 *    counted after a settle time long enough for a reconnect and catch-up. Duplicates and
 *    out-of-order events are counted too.
 */
import os from 'node:os';
import { sleep } from '../lib/clock.js';
import { TcpForwarder } from '../lib/forwarder.js';
import { generatorCores, split, startServer, withGeneratorsFor, type Server } from '../lib/harness.js';
import { openRedis } from '../lib/redis.js';
import { percentile } from '../lib/stats.js';
import type { Run, SystemId } from '../lib/types.js';
import type { Scenario } from './types.js';

const NODES = 3;
/** wsguard's default 20 msg/s per connection would throttle the paced publisher (100/s). */
const RAISED_RATE = { perSec: 1_000_000, burst: 1_000_000 };
const WARMUP_EVENTS = 2;
/** Node whose Redis link is cut in the loss phase (the publisher is on node 0). */
const CUT_NODE = 2;

/** Cores: with 6 or more, each node and Redis get one of their own and the generators the rest (core 1 and up from 6); else nodes share core 0 and Redis shares core 1 with the generators. */
function layout(): { node: (i: number) => number; redis: number; generators: string; text: string } {
  if (os.cpus().length >= 6) {
    const rest = generatorCores(2 + NODES + 1);
    const generators = rest === String(2 + NODES) ? '1' : `1,${rest}`;
    return { node: (i) => 2 + i, redis: 2 + NODES, generators, text: `nodes on cores 2-${1 + NODES}, Redis on core ${2 + NODES}, load generators on cores ${generators}` };
  }
  return { node: () => 0, redis: 1, generators: '1', text: 'fewer than 6 cores: the 3 nodes share core 0, Redis shares core 1 with the load generators' };
}

export const cluster: Scenario = {
  id: 'cluster',
  metric: 'deliveries_per_s',
  higherIsBetter: true,
  systems: ['wsguard', 'socket.io', 'socket.io-streams'] satisfies SystemId[],
  run: async (ctx, system) => {
    const cores = layout();
    ctx.notes.add(`cluster: ${cores.text}`);
    const redis = await openRedis(cores.redis);
    ctx.notes.add(
      redis.private
        ? 'cluster: a private redis-server per run (Redis CPU is the benchmark\'s alone); socket.io = @socket.io/redis-adapter, socket.io-streams = @socket.io/redis-streams-adapter'
        : 'cluster: shared Redis at WSGUARD_BENCH_REDIS_URL: redis_cpu_us_per_event includes other clients\' work',
    );
    const prefix = redis.prefix();
    const links: TcpForwarder[] = [];
    const nodes: Server[] = [];
    try {
      for (let i = 0; i < NODES; i++) links.push(await TcpForwarder.start(() => redis.port, redis.host));
      for (let i = 0; i < NODES; i++) {
        nodes.push(await startServer(ctx, { system, scenario: 'cluster', redis: { url: `redis://127.0.0.1:${links[i]!.port}`, prefix }, ...(system === 'wsguard' ? { messageRate: RAISED_RATE } : {}) }, cores.node(i), `cluster-${system}-node${i}`));
      }
      return await withGeneratorsFor(
        nodes.map((n) => n.target),
        async (gens) => {
          const S = ctx.profile.clusterSubscribers;
          await Promise.all(split(S, gens.length).map((count, i) => gens[i]!.request('subscribe', { count }, 300_000)));
          const publisher = gens[0]!;
          const nodesCpu = async () => (await Promise.all(nodes.map((n) => n.cpu()))).reduce((a, b) => a + b, 0);

          // 1. Throughput, one event after another.
          let busyMs = 0;
          let cpu0 = 0;
          let redis0 = 0;
          const total = WARMUP_EVENTS + ctx.profile.clusterEvents;
          for (let idx = 0; idx < total; idx++) {
            if (idx === WARMUP_EVENTS) {
              await Promise.all(gens.map((g) => g.request('latencies')));
              cpu0 = await nodesCpu();
              redis0 = await redis.cpuUs();
            }
            const { sentAt } = await publisher.request<{ sentAt: number }>('publish', { idx }, 30_000);
            const lasts = await Promise.all(gens.map((g) => g.request<{ last: number }>('awaitEvent', { idx, timeoutMs: 30_000 }, 35_000)));
            if (idx >= WARMUP_EVENTS) busyMs += Math.max(...lasts.map((l) => l.last)) - sentAt;
          }
          const events = ctx.profile.clusterEvents;
          const cpu = (await nodesCpu()) - cpu0;
          const redisCpu = (await redis.cpuUs()) - redis0;
          const latencies = (await Promise.all(gens.map((g) => g.request<number[]>('latencies')))).flat();

          // 2. Loss: a steady stream while node CUT_NODE is cut off from Redis.
          const from = total;
          const { clusterLossEvents: count, clusterLossIntervalMs: interval, clusterCutMs: cutMs } = ctx.profile;
          const published = publisher.request<{ sent: number; failed: number }>('publishPaced', { from, count, intervalMs: interval }, count * interval + count * 6_000);
          await sleep((count * interval) / 3);
          await links[CUT_NODE]!.cutFor(cutMs);
          const pub = await published;
          if (pub.failed > 0) ctx.notes.add(`cluster/${system}: ${pub.failed} of ${count} publishes during the cut were not acknowledged`);
          const settleMs = cutMs + 8_000;
          const settled = await Promise.all(gens.map((g) => g.request<{ missing: number; expected: number; duplicates: number }>('settle', { from, to: from + count, timeoutMs: settleMs }, settleMs + 10_000)));
          const lost = settled.reduce((s, r) => s + r.missing, 0);
          const duplicates = settled.reduce((s, r) => s + r.duplicates, 0);
          ctx.log(`${system}: loss phase ${count} events × ${S} subscribers, node ${CUT_NODE} cut for ${cutMs} ms: ${lost} deliveries missing, ${duplicates} duplicate or out of order`);
          const rows: Run[] = [
            { scenario: 'cluster', system, metric: 'deliveries_per_s', value: ((S * events) / busyMs) * 1000 },
            { scenario: 'cluster', system, metric: 'cpu_us_per_delivery', value: cpu / (S * events) },
            { scenario: 'cluster', system, metric: 'p50_ms', value: percentile(latencies, 50) },
            { scenario: 'cluster', system, metric: 'p99_ms', value: percentile(latencies, 99) },
            { scenario: 'cluster', system, metric: 'redis_cpu_us_per_event', value: redisCpu / events },
            // Deliveries (event × subscriber) never received, and those received twice or out of order.
            { scenario: 'cluster', system, metric: 'lost_deliveries', value: lost },
            { scenario: 'cluster', system, metric: 'duplicate_deliveries', value: duplicates },
          ];
          return rows;
        },
        cores.generators,
      );
    } finally {
      await Promise.all(nodes.map((n) => n.child.stop()));
      await Promise.all(links.map((l) => l.close()));
      await redis.clean(prefix).catch(() => undefined);
      await redis.close();
    }
  },
};
