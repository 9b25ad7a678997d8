/**
 * A cap on open TCP connections per client address, below the HTTP layer. The gate's caps count
 * WebSocket upgrades only; a client that opens sockets and never sends a request would otherwise
 * hold file descriptors (and the event loop's attention) until the header timeout, over and over.
 * A trusted proxy's address is exempt: every client behind it shares it.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { normalizeIp, type TrustProxy } from './client-ip.js';

export interface TcpCapOptions {
  /** Open TCP connections one address may hold (0 = no cap). */
  readonly perIp: number;
  readonly trustProxy: TrustProxy;
  /** Called once per refused connection (the socket is already destroyed). */
  readonly refused: (ip: string) => void;
}

/** Installs the cap on `server`; returns the listener's removal. */
export function capTcpPerIp(server: Pick<Server, 'on' | 'off'>, opts: TcpCapOptions): () => void {
  if (opts.perIp <= 0) return () => {};
  const open = new Map<string, number>();
  // One listener shared by every socket (no closure per connection: it lives as long as the
  // socket). The address is read again at close: net.Socket caches its peer address.
  function onClose(this: Socket): void {
    const ip = normalizeIp(this.remoteAddress);
    const left = (open.get(ip) ?? 1) - 1;
    if (left <= 0) open.delete(ip);
    else open.set(ip, left);
  }
  const onConnection = (socket: Socket) => {
    const ip = normalizeIp(socket.remoteAddress);
    if (opts.trustProxy(ip, 0)) return;
    const n = (open.get(ip) ?? 0) + 1;
    if (n > opts.perIp) {
      socket.destroy();
      opts.refused(ip);
      return;
    }
    open.set(ip, n);
    socket.on('close', onClose);
  };
  server.on('connection', onConnection);
  return () => server.off('connection', onConnection);
}
