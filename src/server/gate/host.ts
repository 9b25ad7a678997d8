/**
 * Stage 'host': the Host header must name this service (stops DNS rebinding). With no explicit list,
 * the hosts of the allowed origins are accepted, plus loopback names on the port the socket arrived on.
 * An entry without a port matches any port of that host name.
 */
import { refuse, type GateStage } from './types.js';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

export function hostStage(hosts: readonly string[] | undefined, origins: readonly string[]): GateStage {
  const explicit = hosts?.map((h) => h.toLowerCase());
  const fromOrigins = origins.map((o) => new URL(o).host.toLowerCase());
  return {
    name: 'host',
    run: ({ req }) => {
      const host = req.headers.host?.toLowerCase();
      if (!host) return refuse(400, 'host');
      const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
      if (explicit) return explicit.includes(host) || explicit.includes(name) ? undefined : refuse(403, 'host');
      if (fromOrigins.includes(host)) return undefined;
      const port = req.socket.localPort;
      if (LOOPBACK.some((l) => host === l || host === `${l}:${port}`)) return undefined;
      return refuse(403, 'host');
    },
  };
}
