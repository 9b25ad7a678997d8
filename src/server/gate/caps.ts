/**
 * Stage 'caps': global and per-IP concurrent connection caps, before any crypto is spent.
 * Stage 'user-cap': per-user cap; it needs the identity, so it runs right after authenticate.
 */
import type { ConnectionCounts } from '../counts.js';
import { refuse, type GateStage } from './types.js';

export function capsStage(counts: ConnectionCounts, caps: { global: number; perIp: number }): GateStage {
  return {
    name: 'caps',
    run: (ctx) => {
      const r = counts.reserveIp(ctx.ip, caps);
      if (r === 'cap_global') return refuse(503, 'cap_global', { 'Retry-After': '5' });
      if (r === 'cap_ip') return refuse(429, 'cap_ip', { 'Retry-After': '5' });
      ctx.cleanups.push(r);
      return undefined;
    },
  };
}

export function userCapStage(counts: ConnectionCounts, perUser: number): GateStage {
  return {
    name: 'user-cap',
    run: (ctx) => {
      if (!ctx.identity) return undefined; // first-message auth: checked when it authenticates
      const r = counts.reserveUser(ctx.identity.sub, perUser);
      if (!r) return refuse(429, 'cap_user', { 'Retry-After': '5' });
      ctx.cleanups.push(r);
      return undefined;
    },
  };
}
