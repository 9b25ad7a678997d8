/**
 * Server-side error helpers that share the protocol's leaf position (store/, auth/, config/ and
 * server/ import them) but are not part of the wire: kept out of protocol/index.ts, so the browser
 * client bundle never sees them.
 */
import { WsguardError } from './errors.js';

/**
 * A backend failure (disk, Redis: lost connection, timeout, refused write) means the answer is
 * unknown: callers refuse with `unavailable` (fail closed), never pretend it worked. A WsguardError
 * passes through unchanged; anything else becomes `unavailable` with it as `cause`.
 */
export function unavailable(cause: unknown, message?: string): WsguardError {
  if (cause instanceof WsguardError) return cause;
  return new WsguardError('unavailable', message, { cause });
}

/**
 * The one configuration error: a bad guard option (`key` is the dotted option path, e.g.
 * `auth.jwt.secret`) or a bad `wsguard serve` setting (`key` is the variable, e.g. `WSGUARD_PORT`).
 * Thrown at startup, never on the wire; the message is one line naming the key.
 */
export class WsguardConfigError extends Error {
  readonly key: string;
  constructor(key: string, detail: string, options?: ErrorOptions) {
    super(`invalid configuration: ${key}: ${detail}`, options);
    this.name = 'WsguardConfigError';
    this.key = key;
  }
}
