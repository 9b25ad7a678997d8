/**
 * The message pipeline is data: ordered named stages, each a small module, run by one runner
 * (runner.ts). A stage passes (undefined), answers an error, closes the socket, or reports that
 * it answered already.
 */
import type { CloseCodeValue, Envelope, ErrorCodeValue } from '../../protocol/index.js';
import type { GuardConnection } from '../connection.js';
import type { GuardCore } from '../core.js';
import type { ViolationReason } from '../events.js';
import type { Route } from '../types.js';

export interface InboundMessage {
  readonly conn: GuardConnection;
  readonly core: GuardCore;
  readonly data: Buffer;
  readonly isBinary: boolean;
  readonly receivedAt: number;
  /** The earliest time the frame may have arrived: before receivedAt when it was buffered during a stall (arrival.ts). */
  readonly arrivedFrom: number;
  value?: unknown;
  envelope?: Envelope;
  route?: Route;
  payload?: unknown;
}

export type StageOutcome =
  | undefined
  | { readonly error: ErrorCodeValue; readonly violation?: ViolationReason; /** Schema path of the failing field (invalid_message). */ readonly field?: string }
  | { readonly close: CloseCodeValue; readonly reason: string; readonly violation: ViolationReason }
  | { readonly done: true };

export interface PipelineStage {
  readonly name: string;
  run(m: InboundMessage): StageOutcome | Promise<StageOutcome>;
}
