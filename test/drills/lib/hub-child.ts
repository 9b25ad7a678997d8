/**
 * Child-process entry that runs one hub (startHub) for the drills, so the drill can read the
 * hub's own heap (after a forced GC) without the load generator's allocations mixed in.
 * Parent → child over IPC: 'memory' (answers a MemorySample), 'close' (graceful close, then exit).
 */
import { pino } from 'pino';
import { startHub } from '../../../src/hub/app.js';
import type { HubChildConfig, HubChildMessage, MemorySample } from './hub-process.js';

const config = JSON.parse(process.env.WSGUARD_DRILL_HUB ?? '{}') as HubChildConfig;
const gc = (globalThis as { gc?: () => void }).gc;

const hub = await startHub(
  {
    host: '127.0.0.1',
    port: 0,
    allowedOrigins: 'self',
    allowedHosts: 'self',
    jwt: { secret: config.secret },
    devMode: false,
    db: config.db,
    trustProxy: [],
    retention: { maxEvents: 0, maxAgeMs: 0 },
    maxConnections: config.maxConnections ?? 10_000,
    logLevel: 'silent',
  },
  { logger: pino({ level: 'silent' }), guard: config.guard ?? {} },
);

function sample(): MemorySample {
  // Two passes: the first may only schedule finalizers (ws sockets, zlib) that the second frees.
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external, connections: hub.guard.connections };
}

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'memory') process.send?.({ type: 'memory', sample: sample() } satisfies HubChildMessage);
  if (msg.type === 'close') void hub.close(2_000).finally(() => process.exit(0));
});
process.on('disconnect', () => void hub.close(1_000).finally(() => process.exit(0)));
process.send?.({ type: 'ready', wsUrl: hub.wsUrl, url: hub.url, port: hub.port } satisfies HubChildMessage);
