/**
 * The CLI flags of the check-specific operator inputs (LIMIT, INPUT, AUTHZ) and of the observation
 * windows: the CLI spreads OPERATOR_FLAG_SPEC into its parseArgs options and merges
 * operatorFlagOptions(values) into its AuditOptionsInput. The options themselves, their defaults
 * and their ranges are in options.ts, which validates them.
 */
import type { AuditOptionsInput } from './options.js';

type Kind = 'count' | 'seconds' | 'string' | 'strings' | 'boolean';

/** flag → [option key, kind] */
const FLAGS: Record<string, [keyof AuditOptionsInput, Kind]> = {
  'max-message': ['maxMessageBytes', 'count'],
  'max-conns': ['maxConns', 'count'],
  fragments: ['fragmentCount', 'count'],
  'rate-messages': ['rateMessages', 'count'],
  'rate-window': ['rateWindowMs', 'seconds'],
  'slow-interval': ['slowHeaderIntervalMs', 'seconds'],
  'slow-wait': ['slowWaitMs', 'seconds'],
  'backpressure-wait': ['backpressureWaitMs', 'seconds'],
  'stream-message': ['streamMessage', 'string'],
  'render-field': ['renderFields', 'strings'],
  sleep: ['sleepMs', 'seconds'],
  'ip-banned': ['ipBanned', 'boolean'],
  'ip-limit-attempts': ['ipLimitAttempts', 'count'],
  'priv-message': ['privMessages', 'strings'],
  'subscribe-template': ['subscribeTemplate', 'string'],
  'own-id': ['ownId', 'string'],
  'foreign-id': ['foreignId', 'string'],
  'mass-assign-message': ['massAssignMessage', 'string'],
  'read-message': ['readMessage', 'string'],
  'session-wait': ['sessionWaitMs', 'seconds'],
  'session-grace': ['sessionGraceMs', 'seconds'],
  'auth-window': ['authWindowMs', 'seconds'],
};

/** The high-privilege identity for AUTHZ-01. */
const PRIV = { 'priv-token': 'token', 'priv-cookie': 'cookie' } as const;
/** The session --logout-cmd ends (SESSION-01), so that the other checks keep theirs. */
const LOGOUT = { 'logout-token': 'token', 'logout-cookie': 'cookie' } as const;

export const OPERATOR_FLAG_SPEC: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
  ...Object.fromEntries(Object.entries(FLAGS).map(([f, [, k]]) => [f, k === 'boolean' ? { type: 'boolean' } : k === 'strings' ? { type: 'string', multiple: true } : { type: 'string' }])),
  'priv-token': { type: 'string' },
  'priv-cookie': { type: 'string' },
  'logout-token': { type: 'string' },
  'logout-cookie': { type: 'string' },
};

export const OPERATOR_FLAG_HELP = `limits:      --max-message BYTES   --max-conns N   --fragments N   --rate-messages N   --rate-window SECONDS
             --slow-interval SECONDS   --slow-wait SECONDS   --backpressure-wait SECONDS   --stream-message MSG
input:       --render-field NAME (repeatable)   --sleep SECONDS   --ip-banned   --ip-limit-attempts N
session:     --logout-token T   --logout-cookie 'k=v' (the session --logout-cmd ends; without one it ends the
             main session, so SESSION-01 runs after every other check)
windows:     --session-wait SECONDS (SESSION-01, LEAK-03)   --session-grace SECONDS (SESSION-02)   --auth-window SECONDS (AUTH-05)
authz:       --priv-message MSG (repeatable)   --priv-token T   --priv-cookie 'k=v'   --subscribe-template MSG ({{id}})
             --own-id ID   --foreign-id ID   --mass-assign-message MSG   --read-message MSG`;

/** Parsed values → options; throws an Error with a one-line message naming the flag when it is not a number. */
export function operatorFlagOptions(values: Record<string, unknown>): AuditOptionsInput {
  const out: Record<string, unknown> = {};
  for (const [flag, [key, kind]] of Object.entries(FLAGS)) {
    const v = values[flag];
    if (v === undefined) continue;
    if (kind === 'count' || kind === 'seconds') {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0 || (kind === 'count' && !Number.isInteger(n))) throw new Error(`--${flag} must be a positive ${kind === 'count' ? 'integer' : 'number of seconds'} (got '${String(v)}')`);
      out[key] = kind === 'seconds' ? Math.round(n * 1000) : n;
    } else {
      out[key] = v;
    }
  }
  const priv = Object.entries(PRIV).filter(([f]) => typeof values[f] === 'string');
  if (priv.length) out.privIdentity = Object.fromEntries(priv.map(([f, k]) => [k, values[f]]));
  const logout = Object.entries(LOGOUT).filter(([f]) => typeof values[f] === 'string');
  if (logout.length) out.logoutIdentity = Object.fromEntries(logout.map(([f, k]) => [k, values[f]]));
  // Typed by FLAGS' keys; resolveOptions validates each value's range.
  return out as AuditOptionsInput;
}

/** flag → option key, for the test that OPTION_FLAGS (what errors name) agrees with these flags. */
export const OPERATOR_FLAG_KEYS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(FLAGS).map(([f, [k]]) => [f, k]));
