/**
 * Stage 'origin': exact match of the serialized origin against the allowlist (no prefix, suffix,
 * regex or wildcard). `null` is always refused. A missing Origin (non-browser client) is refused
 * per `requireOrigin`: always, or only when the request carries a cookie (ambient credential).
 */
import { refuse, type GateStage } from './types.js';

export type RequireOrigin = 'always' | 'when-cookies' | 'never';

export function isAllowedOrigin(origin: string, allowed: ReadonlySet<string>): boolean {
  if (origin === 'null' || origin.length > 2048) return false;
  let serialized: string;
  try {
    serialized = new URL(origin).origin;
  } catch {
    return false;
  }
  // The header must already be in canonical form: no path, no trailing slash, no odd casing.
  return serialized === origin && allowed.has(origin);
}

export function originStage(origins: readonly string[], requireOrigin: RequireOrigin): GateStage {
  const allowed = new Set(origins);
  return {
    name: 'origin',
    run: ({ origin, req }) => {
      if (origin === undefined) {
        if (requireOrigin === 'always' || (requireOrigin === 'when-cookies' && req.headers.cookie !== undefined)) return refuse(403, 'origin_missing');
        return undefined;
      }
      if (origin === 'null') return refuse(403, 'origin_null');
      return isAllowedOrigin(origin, allowed) ? undefined : refuse(403, 'origin');
    },
  };
}
