/**
 * A TCP forwarder between one cluster node and Redis, so the cluster scenario can cut that node's
 * Redis link (every connection: commands and pub/sub) for a while and then let it reconnect,
 * without touching other nodes or other users of the same Redis.
 */
import net, { type AddressInfo } from 'node:net';

export class Forwarder {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #cut = false;

  private constructor(readonly host: string, readonly targetPort: number) {
    this.#server = net.createServer((client) => this.#forward(client));
  }

  static async start(host: string, targetPort: number): Promise<Forwarder> {
    const f = new Forwarder(host, targetPort);
    await new Promise<void>((resolve, reject) => {
      f.#server.once('error', reject);
      f.#server.listen(0, '127.0.0.1', () => resolve());
    });
    return f;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  #forward(client: net.Socket): void {
    if (this.#cut) return void client.destroy();
    const upstream = net.connect(this.targetPort, this.host);
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

  /** Drops every forwarded connection and refuses new ones for `ms`; resolves when the link is back. */
  async cutFor(ms: number): Promise<void> {
    this.#cut = true;
    for (const s of this.#sockets) s.destroy();
    await new Promise((r) => setTimeout(r, ms));
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.#cut = true;
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
