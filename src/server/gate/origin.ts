/**
 * Stage 'origin': exact match of the serialized origin against the allowlist (no prefix, suffix,
 * regex or wildcard). `null` is always refused. A missing Origin (non-browser client) is refused
 * per `requireOrigin`: always, or only when the request carries a cookie (ambient credential).
 */
import { refuse, type GateStage } from './types.js';

export type RequireOrigin = 'always' | 'when-cookies' | 'never';

export function isAllowedOrigin(origin: string, allowed: ReadonlySet<string>): boolean {
  if (origin === 'null' || origin.length > 2048) return false;
  return allowed.has(origin) && isCanonicalOrigin(origin);
}

/** The header must already be in canonical form: no path, no trailing slash, no odd casing. */
function isCanonicalOrigin(origin: string): boolean {
  try {
    return new URL(origin).origin === origin;
  } catch {
    return false;
  }
}

/**
 * isAllowedOrigin with the URL parse done once per allowlist entry instead of once per request:
 * an origin passes when it is one of the entries that are canonical, which is the same answer.
 */
export function originMatcher(origins: Iterable<string>): (origin: string) => boolean {
  const canonical = new Set([...origins].filter((o) => o !== 'null' && o.length <= 2048 && isCanonicalOrigin(o)));
  return (origin) => canonical.has(origin);
}

export function originStage(origins: readonly string[], requireOrigin: RequireOrigin): GateStage {
  const allowed = originMatcher(origins);
  return {
    name: 'origin',
    run: ({ origin, req }) => {
      if (origin === undefined) {
        if (requireOrigin === 'always' || (requireOrigin === 'when-cookies' && req.headers.cookie !== undefined)) return refuse(403, 'origin_missing');
        return undefined;
      }
      if (origin === 'null') return refuse(403, 'origin_null');
      return allowed(origin) ? undefined : refuse(403, 'origin');
    },
  };
}
