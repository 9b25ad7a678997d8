/**
 * The client's address: the socket peer, unless the peer is a trusted proxy, in which case the
 * right-most X-Forwarded-For hop that is not itself a trusted proxy (never the left-most, client-chosen
 * hop). proxy-addr does the walking; trusted proxies are addresses or CIDR ranges.
 */
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** Compiled trusted-proxy list (proxy-addr's trust function). */
export type TrustProxy = (addr: string, i: number) => boolean;

/** Compiles addresses and CIDR ranges (`10.0.0.0/8`, `::1`); throws TypeError on an entry it cannot parse. */
export function compileTrust(list: readonly string[]): TrustProxy {
  return proxyaddr.compile([...list]);
}

/** True when proxy-addr accepts `entry` as an address or CIDR range. */
export function isTrustEntry(entry: string): boolean {
  try {
    proxyaddr.compile(entry);
    return true;
  } catch {
    return false;
  }
}

export function normalizeIp(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const lower = ip.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

/**
 * The client's address, or undefined when a trusted proxy forwarded an X-Forwarded-For hop that is
 * not an address: the caller refuses with 400 (falling back to the proxy's own address would put
 * every client in one bucket, and make them look like loopback when the proxy is local).
 */
export function clientIp(req: IncomingMessage, trust: TrustProxy): string | undefined {
  const peer = req.socket.remoteAddress;
  if (peer === undefined || !trust(peer, 0)) return normalizeIp(peer);
  const addr = proxyaddr(req, trust);
  return isIP(addr) === 0 ? undefined : normalizeIp(addr);
}
