/** Where a ws:// or wss:// URL points: host, port, TLS, request path, Host header value. */
import net from 'node:net';

export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
  /** Path plus query as sent in the request line. */
  path: string;
  /** Host header value (brackets for IPv6, port only when not the default). */
  hostHeader: string;
}

export function endpointOf(url: URL): Endpoint {
  const tls = url.protocol === 'wss:' || url.protocol === 'https:';
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { host, port, tls, path: `${url.pathname || '/'}${url.search}`, hostHeader: url.host };
}

/** 127.0.0.0/8, ::1, localhost: plaintext there never crosses a network. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  return h === '::ffff:127.0.0.1';
}
