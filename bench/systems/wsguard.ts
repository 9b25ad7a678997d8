/**
 * wsguard: the real hub (startHub) with its defaults: JWT per handshake, origin and host checks,
 * schema validation, rate limits, ACL. Only limits that assume many client IPs are raised,
 * because every benchmark client comes from loopback (the checks still run on every handshake).
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { startHub } from '../../src/hub/app.js';
import { isAllowed } from '../../src/protocol/index.js';
import type { HubConfig } from '../../src/config/index.js';
import type { ServerSpec } from '../lib/types.js';
import type { StartedServer } from './types.js';

/** The inbound scenario's message: small, schema-validated, ACL-checked, acknowledged. */
const NotePayload = z.object({ channel: z.string().max(256), text: z.string().max(256) });

const LOOPBACK_LIMITS = { perIp: 1_000_000, handshakeRate: { perSec: 1_000_000, burst: 1_000_000 } };

export async function startWsguard(spec: ServerSpec): Promise<StartedServer> {
  const notes = [`per-IP connection caps (WebSocket and TCP) and handshake rate raised to ${LOOPBACK_LIMITS.perIp} (all clients are on loopback); per-user cap, JWT, origin, schema, ACL unchanged`];
  notes.push('ticket minting limits raised (per-IP and per-subject rates, outstanding caps): the ticket handshake scenario mints one per connection from one subject');
  if (spec.messageRate) notes.push(`per-connection message rate raised to ${spec.messageRate.perSec}/s (default 20/s would throttle the benchmark)`);
  const config: HubConfig = {
    host: '127.0.0.1',
    port: 0,
    allowedOrigins: 'self',
    allowedHosts: 'self',
    jwt: { secret: spec.secret },
    devMode: false,
    db: spec.replayDb ?? join(spec.dir, 'events.db'),
    trustProxy: [],
    retention: { maxEvents: 0, maxAgeMs: 0 },
    maxConnections: 200_000,
    tickets: { perIpPerMin: 1e9, perUserPerMin: 1e9, maxPerUser: 1_000_000, maxTotal: 1_000_000 },
    logLevel: 'silent',
    // Cluster scenario: sequence, history and fan-out on Redis under the harness's prefix.
    ...(spec.redis ? { redis: { url: spec.redis.url, prefix: spec.redis.prefix } } : {}),
  };
  const hub = await startHub(config, {
    logger: pino({ level: 'silent' }),
    guard: {
      caps: { global: 200_000, perIp: LOOPBACK_LIMITS.perIp, perUser: 10, tcpPerIp: LOOPBACK_LIMITS.perIp },
      handshakeRate: LOOPBACK_LIMITS.handshakeRate,
      ...(spec.messageRate ? { messageRate: spec.messageRate } : {}),
    },
  });
  hub.guard.message('bench.note', NotePayload, () => ({}), { authorize: (ctx, p) => isAllowed(ctx.identity.perms.publish, p.channel) });
  return { port: hub.port, notes, close: () => hub.close(500) };
}
