/**
 * Redis command helpers every Redis-backed implementation shares (event store, auth stores,
 * counter). A leaf module: store/, auth/ and cluster/ import it, it imports none of them.
 */
import type { Redis } from 'ioredis';

export type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

/** Registers a Lua script with ioredis (EVALSHA, falling back to EVAL) and returns it typed. */
export function defineScript(redis: Redis, name: string, lua: string, numberOfKeys: number, readOnly = false): ScriptFn {
  redis.defineCommand(name, { lua, numberOfKeys, readOnly });
  const fn = (redis as unknown as Record<string, ScriptFn>)[name];
  if (!fn) throw new Error(`ioredis did not define ${name}`);
  return fn.bind(redis);
}
