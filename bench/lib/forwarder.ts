/**
 * A TCP forwarder: every connection on its own port goes to `target()` (a port, or undefined to
 * refuse). `cut()` drops every forwarded connection and refuses new ones until `heal()`, a network
 * partition of whatever sits behind it (one cluster node's Redis link, in the bench and the cluster
 * tests), without touching anyone else on the same Redis.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export class TcpForwarder {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #upstreams = new Set<Socket>();
  #cut = false;

  private constructor(readonly target: () => number | undefined, readonly host: string) {
    this.#server = createServer((client) => this.#forward(client));
  }

  static async start(target: () => number | undefined, host = '127.0.0.1'): Promise<TcpForwarder> {
    const f = new TcpForwarder(target, host);
    await new Promise<void>((resolve, reject) => {
      f.#server.once('error', reject);
      f.#server.listen(0, '127.0.0.1', () => resolve());
    });
    return f;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  #forward(client: Socket): void {
    const port = this.#cut ? undefined : this.target();
    if (port === undefined) return void client.destroy();
    const upstream = connect(port, this.host);
    this.#upstreams.add(upstream);
    upstream.on('close', () => this.#upstreams.delete(upstream));
    for (const s of [client, upstream]) {
      this.#sockets.add(s);
      s.setNoDelay(true);
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

  /** A cut of `ms`; resolves when the link is back. */
  async cutFor(ms: number): Promise<void> {
    this.cut();
    await new Promise((r) => setTimeout(r, ms));
    this.heal();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
