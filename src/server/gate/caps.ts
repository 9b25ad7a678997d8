/**
 * Stage 'caps': global and per-IP concurrent connection caps, before any crypto is spent.
 * Stage 'user-cap': per-user cap; it needs the identity, so it runs right after authenticate.
 */
import type { ConnectionCounter } from '../../auth/types.js';
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

/** Takes a per-user slot; the release (idempotent) or undefined when the cap is reached. */
export async function acquireUserSlot(counter: ConnectionCounter, sub: string, perUser: number): Promise<(() => void) | undefined> {
  if (!(await counter.acquire(sub, perUser))) return undefined;
  // One closure (not once() around another): it lives as long as the connection.
  let done = false;
  return () => {
    if (done) return;
    done = true;
    void counter.release(sub).catch(() => undefined);
  };
}

export function userCapStage(counter: ConnectionCounter, perUser: number): GateStage {
  return {
    name: 'user-cap',
    run: async (ctx) => {
      if (!ctx.identity) return undefined; // first-message auth: checked when it authenticates
      const release = await acquireUserSlot(counter, ctx.identity.sub, perUser);
      if (!release) return refuse(429, 'cap_user', { 'Retry-After': '5' });
      ctx.cleanups.push(release);
      return undefined;
    },
  };
}
