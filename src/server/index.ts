/** `wsguard/server`: a secure-by-default WebSocket server core. See docs/server.md. */
export { createGuard, Guard, type GuardEvents } from './guard.js';
export { DEFAULTS, OptionsSchema, resolveOptions, type GuardOptions, type ResolvedOptions, type CookieAuth } from './options.js';
export { SECURITY_EVENT_KINDS, VIOLATION_REASONS, type SecurityEvent, type SecurityEventKind, type ViolationReason } from './events.js';
export { REFUSAL_REASONS, type RefusalReason, type GateStage, type HandshakeContext, type Refusal } from './gate/types.js';
export type { PipelineStage, InboundMessage } from './pipeline/types.js';
export type { Connection, MessageContext, MessageHandler, MessageOptions, AuthorizeHook, AckPayload } from './types.js';
export type { HttpHandler } from './tickets-http.js';
export { REDACT_PATHS } from './logger.js';
export { HTTP_HARDENING, secureHttpOptions } from './http-hardening.js';
export { TLS_PROFILE, TLS12_SUITES, TLS13_SUITES, secureTlsOptions, secureHttpsOptions, tlsProfileWeakenings, type TlsProfileOverrides } from './tls-profile.js';
export { TokenError, type JwtConfig } from '../auth/jwt.js';
export { MemoryTicketStore, MemoryRevocationStore, MemoryConnectionCounter } from '../auth/memory.js';
export type { Identity, Permissions, TicketStore, RevocationStore, RevocationTarget, TicketRecord, ConnectionCounter } from '../auth/types.js';
export { WsguardError } from '../protocol/index.js';
export { WsguardConfigError } from '../protocol/failures.js';
