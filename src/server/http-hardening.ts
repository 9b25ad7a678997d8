/**
 * Options for the app's own http/https server: the guard cannot change them on a server it did not
 * create (maxHeaderSize is fixed at creation). `createServer(secureHttpOptions(), handler)`.
 */
import type { ServerOptions } from 'node:http';

export const HTTP_HARDENING = {
  /** Largest request head (Node's default is 16 KiB too; pinned so it cannot drift up). */
  maxHeaderSize: 16 * 1024,
  /** Time to receive the whole request head (slowloris). */
  headersTimeout: 10_000,
  /** Time to receive the whole request. */
  requestTimeout: 15_000,
  keepAliveTimeout: 5_000,
  /** How often Node enforces the two timeouts above (its default is 30 s, which stretches them). */
  connectionsCheckingInterval: 1_000,
} as const;

export function secureHttpOptions(overrides: Partial<Record<keyof typeof HTTP_HARDENING, number>> = {}): ServerOptions {
  return { ...HTTP_HARDENING, ...overrides };
}
