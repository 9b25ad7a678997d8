/**
 * The handshake gate is data: an ordered list of named stages, each a small module, run by one
 * runner (runner.ts). A stage either passes (returns undefined), possibly filling in the context,
 * or refuses with a plain HTTP status before any upgrade.
 */
import type { IncomingMessage } from 'node:http';
import type { Identity } from '../../auth/types.js';

/**
 * Why a handshake was refused: the runtime registry the type derives from (the `outcome` label of
 * `wsguard_handshakes_total`, the `reason` of `handshake_refused`). docs/server.md lists the same,
 * checked by test/server/docs-registries.test.ts.
 */
export const REFUSAL_REASONS = [
  'shutting_down',
  'bad_path',
  'bad_request',
  /** A trusted proxy forwarded an X-Forwarded-For hop that is not an address. */
  'bad_forwarded',
  'bad_version',
  'host',
  'origin',
  'origin_null',
  'origin_missing',
  'handshake_rate',
  'cap_global',
  'cap_ip',
  /** Open TCP connections from one address past caps.tcpPerIp: the socket is destroyed before any HTTP. */
  'cap_tcp_ip',
  'cap_user',
  'auth_rate',
  'no_credentials',
  'query_token',
  'invalid_token',
  'invalid_ticket',
  'invalid_cookie',
  'revoked',
  'subprotocol',
  'auth_unavailable',
  'internal',
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export type RefusalStatus = 400 | 401 | 403 | 426 | 429 | 503;

export interface Refusal {
  readonly status: RefusalStatus;
  readonly reason: RefusalReason;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HandshakeContext {
  readonly req: IncomingMessage;
  /** Parsed request target (the host part is a placeholder; use the Host header via the host stage). */
  readonly url: URL;
  /** Client address after trusted-proxy resolution. */
  readonly ip: string;
  /** The Origin header, or undefined when absent. */
  readonly origin: string | undefined;
  /** Sec-WebSocket-Protocol entries, in order. */
  readonly offeredProtocols: readonly string[];
  /** Set by the authenticate stage (undefined for first-message auth). */
  identity?: Identity;
  /** Set by the subprotocol stage; the only source of the protocol ws answers with (guard.ts handleProtocols). */
  protocol?: string;
  /** Undo steps (cap reservations) run when a later stage refuses or the socket goes away. */
  readonly cleanups: (() => void)[];
}

export interface GateStage {
  readonly name: string;
  run(ctx: HandshakeContext): Refusal | undefined | Promise<Refusal | undefined>;
}

export const refuse = (status: RefusalStatus, reason: RefusalReason, headers?: Record<string, string>): Refusal =>
  headers ? { status, reason, headers } : { status, reason };
