/**
 * Cluster test support: N hub nodes sharing one Redis key prefix, and a tiny TCP forwarder used as a
 * load balancer in front of nodes, or as a network link to Redis that a test can cut and heal.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
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

/**
 * Forwards every TCP connection on its own port to `target()` (a port, or undefined to refuse).
 * `cut()` drops every forwarded connection and refuses new ones until `heal()`: a network partition.
 */
export class TcpForwarder {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #upstreams = new Set<Socket>();
  #cut = false;

  private constructor(readonly target: () => number | undefined) {
    this.#server = createServer((client) => this.#forward(client));
  }

  static async start(target: () => number | undefined): Promise<TcpForwarder> {
    const f = new TcpForwarder(target);
    await new Promise<void>((resolve) => f.#server.listen(0, '127.0.0.1', () => resolve()));
    return f;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  #forward(client: Socket): void {
    const port = this.#cut ? undefined : this.target();
    if (port === undefined) return void client.destroy();
    const upstream = connect(port, '127.0.0.1');
    this.#upstreams.add(upstream);
    upstream.on('close', () => this.#upstreams.delete(upstream));
    for (const s of [client, upstream]) {
      this.#sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.#sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Local ports of the forwarded connections, i.e. the client ports the target sees (`CLIENT LIST` addr). */
  upstreamPorts(): number[] {
    return [...this.#upstreams].flatMap((s) => (s.localPort === undefined ? [] : [s.localPort]));
  }

  cut(): void {
    this.#cut = true;
    for (const s of this.#sockets) s.destroy();
  }

  heal(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
