/** Security events: every refusal and violation, structured. Never carries secrets or raw input. */
import type { RefusalReason } from './gate/types.js';

/**
 * Why a message or frame counted as a violation: the runtime registry the type derives from (the
 * `reason` of `violation` events and of `wsguard_violations_total`). docs/server.md lists the same,
 * checked by test/server/docs-registries.test.ts.
 */
export const VIOLATION_REASONS = [
  'rate_limited',
  'queue_full',
  /** Ping frames past the connection's budget (not answered). */
  'ping_flood',
  'too_big',
  'binary',
  'invalid_utf8',
  'protocol_error',
  'json_syntax',
  'json_depth',
  'json_keys',
  'json_array_length',
  'json_string_length',
  'json_forbidden_key',
  'json_lone_surrogate',
  'invalid_envelope',
  'unknown_type',
  'invalid_payload',
  'forbidden',
  'invalid_refresh',
  'unauthenticated',
] as const;

export type ViolationReason = (typeof VIOLATION_REASONS)[number];

interface ConnectionRef {
  readonly connectionId: string;
  readonly ip: string;
  readonly sub?: string;
}

export type SecurityEvent =
  | { readonly kind: 'handshake_refused'; readonly reason: RefusalReason; readonly status: number; readonly ip: string; readonly stage: string }
  | ({ readonly kind: 'violation'; readonly reason: ViolationReason; readonly type?: string } & ConnectionRef)
  | ({ readonly kind: 'violations_exceeded'; readonly reason: ViolationReason } & ConnectionRef)
  | ({ readonly kind: 'revoked' } & ConnectionRef)
  | ({ readonly kind: 'slow_consumer'; readonly bufferedAmount: number } & ConnectionRef)
  | ({ readonly kind: 'auth_expired' } & ConnectionRef)
  | ({ readonly kind: 'auth_timeout' } & ConnectionRef)
  | ({ readonly kind: 'heartbeat_timeout' } & ConnectionRef)
  | ({ readonly kind: 'handler_error'; readonly type: string } & ConnectionRef)
  | { readonly kind: 'ticket_refused'; readonly reason: string; readonly ip: string }
  /** An app HTTP route (e.g. the hub's publish API) refused credentials. */
  | {
      readonly kind: 'http_auth_refused';
      readonly reason: 'auth_rate' | 'no_credentials' | 'invalid_token' | 'revoked' | 'auth_unavailable' | 'not_admin';
      readonly ip: string;
      readonly route: string;
    }
  /** An app HTTP route refused a request past its rate limit (429); `reason` names the limit (the hub: `static`, `publish`, `revocations`). */
  | { readonly kind: 'http_rate_limited'; readonly reason: string; readonly ip: string }
  /** An operator revoked a subject or a token through the admin API (audit trail). */
  | ({ readonly kind: 'admin_revocation'; readonly by: string; readonly ip: string } & ({ readonly sub: string } | { readonly jti: string }));

/**
 * Every kind of security event (the `kind` label of `wsguard_security_events_total`). The union above
 * gives each kind its fields; the compile-time check below keeps this list and the union equal.
 * docs/server.md lists the same, checked by test/server/docs-registries.test.ts.
 */
export const SECURITY_EVENT_KINDS = [
  'handshake_refused',
  'violation',
  'violations_exceeded',
  'revoked',
  'slow_consumer',
  'auth_expired',
  'auth_timeout',
  'heartbeat_timeout',
  'handler_error',
  'ticket_refused',
  'http_auth_refused',
  'http_rate_limited',
  'admin_revocation',
] as const;

export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

/** Fails to compile when SECURITY_EVENT_KINDS and the SecurityEvent union disagree, either way. */
type SameKinds = [SecurityEventKind] extends [SecurityEvent['kind']] ? ([SecurityEvent['kind']] extends [SecurityEventKind] ? true : never) : never;
const _kindsMatch: SameKinds = true;
void _kindsMatch;
