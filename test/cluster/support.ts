/**
 * Cluster test support: N hub nodes sharing one Redis key prefix, and a tiny TCP forwarder used as a
 * load balancer in front of nodes, or as a network link to Redis that a test can cut and heal.
 */
import { startTestHub, removeDir, type TestHub } from '../hub/support.js';
import type { StartOptions } from '../../src/hub/app.js';
import type { HubConfig } from '../../src/config/index.js';
import { deleteKeys, plainClient } from './redis-helpers.js';

/** Origin every node allows (tickets are bound to the Origin that asked for them). */
export const APP_ORIGIN = 'https://app.example';

export interface Cluster {
  readonly nodes: TestHub[];
  readonly prefix: string;
  /** Closes every node still open, removes their temp dirs and deletes the prefix's keys. */
  close(): Promise<void>;
}

/** Starts `n` in-process hubs on their own ports, all on `redisUrl` with the same `prefix`. */
export async function startCluster(n: number, redisUrl: string, prefix: string, opts: StartOptions = {}, overrides: Partial<HubConfig> = {}): Promise<Cluster> {
  const nodes: TestHub[] = [];
  for (let i = 0; i < n; i++) {
    nodes.push(await startTestHub({ redis: { url: redisUrl, prefix }, allowedOrigins: [APP_ORIGIN], ...overrides }, opts));
  }
  return {
    nodes,
    prefix,
    async close() {
      await Promise.all(nodes.map((h) => h.close(1000).catch(() => undefined)));
      for (const h of nodes) removeDir(h.dir);
      const redis = plainClient(redisUrl);
      await deleteKeys(redis, prefix).catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** The forwarder the cluster bench uses too: `cut()` / `heal()` a node's link, `upstreamPorts()` for CLIENT LIST. */
export { TcpForwarder } from '../../bench/lib/forwarder.js';
