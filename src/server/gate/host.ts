/**
 * Stage 'host': the Host header must name this service (stops DNS rebinding). With no explicit list,
 * the hosts of the allowed origins are accepted, plus loopback names on the port the socket arrived on.
 * An entry without a port matches any port of that host name.
 */
import type { IncomingMessage } from 'node:http';
import { refuse, type GateStage } from './types.js';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** The same rule for any HTTP request (the hub applies it to every route): undefined = allowed, else the status. */
export function hostCheck(hosts: readonly string[] | undefined, origins: readonly string[]): (req: IncomingMessage) => 400 | 403 | undefined {
  const explicit = hosts?.map((h) => h.toLowerCase());
  const fromOrigins = origins.map((o) => new URL(o).host.toLowerCase());
  return (req) => {
    const host = req.headers.host?.toLowerCase();
    if (!host) return 400;
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
    if (explicit) return explicit.includes(host) || explicit.includes(name) ? undefined : 403;
    if (fromOrigins.includes(host)) return undefined;
    const port = req.socket.localPort;
    if (LOOPBACK.some((l) => host === l || host === `${l}:${port}`)) return undefined;
    return 403;
  };
}

export function hostStage(hosts: readonly string[] | undefined, origins: readonly string[]): GateStage {
  const check = hostCheck(hosts, origins);
  return {
    name: 'host',
    run: ({ req }) => {
      const status = check(req);
      return status === undefined ? undefined : refuse(status, 'host');
    },
  };
}
