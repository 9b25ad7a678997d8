/**
 * CLI flags for the LIMIT/INPUT/AUTHZ operator inputs that AuditOptions does not carry yet.
 * The CLI can spread OPERATOR_FLAG_SPEC into its parseArgs options and merge
 * operatorFlagOptions(values) into its AuditOptionsInput; the checks read the resulting keys
 * through limitOptions / inputOptions / authzOptions.
 */
import { defaultCredentials } from './options.js';

type Kind = 'count' | 'seconds' | 'string' | 'strings' | 'boolean';

/** flag → [option key, kind] */
const FLAGS: Record<string, [string, Kind]> = {
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

export const OPERATOR_FLAG_SPEC: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
  ...Object.fromEntries(Object.entries(FLAGS).map(([f, [, k]]) => [f, k === 'boolean' ? { type: 'boolean' } : k === 'strings' ? { type: 'string', multiple: true } : { type: 'string' }])),
  'priv-token': { type: 'string' },
  'priv-cookie': { type: 'string' },
};

export const OPERATOR_FLAG_HELP = `limits:      --max-message BYTES   --max-conns N   --fragments N   --rate-messages N   --rate-window SECONDS
             --slow-interval SECONDS   --slow-wait SECONDS   --backpressure-wait SECONDS   --stream-message MSG
input:       --render-field NAME (repeatable)   --sleep SECONDS   --ip-banned   --ip-limit-attempts N
windows:     --session-wait SECONDS (SESSION-01, LEAK-03)   --session-grace SECONDS (SESSION-02)   --auth-window SECONDS (AUTH-05)
authz:       --priv-message MSG (repeatable)   --priv-token T   --priv-cookie 'k=v'   --subscribe-template MSG ({{id}})
             --own-id ID   --foreign-id ID   --mass-assign-message MSG   --read-message MSG`;

/** Parsed values → option keys; throws an Error with a one-line message on a bad number. */
export function operatorFlagOptions(values: Record<string, unknown>): Record<string, unknown> {
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
  if (priv.length) out.privIdentity = { ...defaultCredentials(), ...Object.fromEntries(priv.map(([f, k]) => [k, values[f]])) };
  return out;
}
