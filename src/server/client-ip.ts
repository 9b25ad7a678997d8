/**
 * The client's address: the socket peer, unless the peer is a configured proxy, in which case the
 * right-most X-Forwarded-For hop that is not itself a trusted proxy. Never the left-most (client-chosen) hop.
 */
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export function normalizeIp(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const lower = ip.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

export function clientIp(req: IncomingMessage, trustProxy: ReadonlySet<string>): string {
  const peer = normalizeIp(req.socket.remoteAddress);
  if (!trustProxy.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  if (typeof header !== 'string') return peer;
  const hops = header.split(',').map((h) => normalizeIp(h.trim())).slice(-32);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return peer; // garbage in the chain: believe nothing past the proxy
    if (!trustProxy.has(hop)) return hop;
  }
  return peer;
}
