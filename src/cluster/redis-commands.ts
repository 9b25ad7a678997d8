/** Small helpers every Redis-backed implementation shares (store, auth stores, counter). */
import type { Redis } from 'ioredis';
import { WsguardError } from '../protocol/index.js';

export type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

/** Registers a Lua script with ioredis (EVALSHA, falling back to EVAL) and returns it typed. */
export function defineScript(redis: Redis, name: string, lua: string, numberOfKeys: number, readOnly = false): ScriptFn {
  redis.defineCommand(name, { lua, numberOfKeys, readOnly });
  const fn = (redis as unknown as Record<string, ScriptFn>)[name];
  if (!fn) throw new Error(`ioredis did not define ${name}`);
  return fn.bind(redis);
}

/**
 * Any Redis failure (connection loss, timeout, refused write) means the answer is unknown:
 * callers refuse with `unavailable` (fail closed), never pretend it worked.
 */
export function unavailable(err: unknown): WsguardError {
  if (err instanceof WsguardError) return err;
  const e = new WsguardError('unavailable');
  e.cause = err;
  return e;
}
