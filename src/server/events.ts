/** Security events: every refusal and violation, structured. Never carries secrets or raw input. */
import type { RefusalReason } from './gate/types.js';

export type ViolationReason =
  | 'rate_limited'
  | 'queue_full'
  /** Ping frames past the connection's budget (not answered). */
  | 'ping_flood'
  | 'too_big'
  | 'binary'
  | 'invalid_utf8'
  | 'protocol_error'
  | 'json_syntax'
  | 'json_depth'
  | 'json_keys'
  | 'json_array_length'
  | 'json_string_length'
  | 'json_forbidden_key'
  | 'json_lone_surrogate'
  | 'invalid_envelope'
  | 'unknown_type'
  | 'invalid_payload'
  | 'forbidden'
  | 'invalid_refresh'
  | 'unauthenticated';

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
  /** An operator revoked a subject or a token through the admin API (audit trail). */
  | ({ readonly kind: 'admin_revocation'; readonly by: string; readonly ip: string } & ({ readonly sub: string } | { readonly jti: string }));

export type SecurityEventKind = SecurityEvent['kind'];
