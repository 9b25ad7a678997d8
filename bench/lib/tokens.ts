/** JWTs for the load generators, one per benchmark user, minted once and cached. */
import { signToken } from '../../src/auth/sign.js';
import { FANOUT_CHANNEL, REPLAY_CHANNEL } from './types.js';

const cache = new Map<string, Promise<string>>();

/** wsguard allows 10 connections per user by default, so connections are spread over users. */
export const CONNECTIONS_PER_USER = 8;

export function tokenFor(secret: string, user: string): Promise<string> {
  let t = cache.get(user);
  if (!t) {
    t = signToken({ secret, sub: user, ttlSec: 3600, perms: { subscribe: [FANOUT_CHANNEL, REPLAY_CHANNEL], publish: [FANOUT_CHANNEL] } });
    cache.set(user, t);
  }
  return t;
}

export function userFor(connectionIndex: number): string {
  return `u${Math.floor(connectionIndex / CONNECTIONS_PER_USER)}`;
}
