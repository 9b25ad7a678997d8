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
import type { HandlerContext } from './context.js';

export interface InboundMessage {
  readonly conn: GuardConnection;
  readonly core: GuardCore;
  readonly data: Buffer;
  readonly isBinary: boolean;
  readonly receivedAt: number;
  /** The earliest time the frame may have arrived: before receivedAt when it was buffered during a stall (arrival.ts). */
  readonly arrivedFrom: number;
  /** Set by 'json'. */
  value?: unknown;
  /** Set by 'envelope'. */
  envelope?: Envelope;
  /** Set by 'schema'. */
  route?: Route;
  payload?: unknown;
  /** Set by 'authorize': the one handler context of this message, which the handler gets too. */
  ctx?: HandlerContext;
  /**
   * Set by the runner when the message started while earlier messages of its connection were still
   * unanswered (pipelined publishes before it): they are answered when this settles, and every
   * answer of this message (ack, error, close) waits for it.
   */
  after?: Promise<void>;
  /** Set by the runner when a pipelined route's handler started and returned a promise. */
  pipelined?: boolean;
}

/** What a message is known to carry once a stage has passed it: each type adds what its stage sets. */
export type Parsed = InboundMessage & { readonly value: unknown };
export type Enveloped = Parsed & { readonly envelope: Envelope };
export type Routed = Enveloped & { readonly route: Route; readonly payload: unknown };
export type Contextualized = Routed & { readonly ctx: HandlerContext };

export type StageOutcome =
  | undefined
  | { readonly error: ErrorCodeValue; readonly violation?: ViolationReason; /** Schema path of the failing field (invalid_message). */ readonly field?: string }
  | { readonly close: CloseCodeValue; readonly reason: string; readonly violation: ViolationReason }
  | { readonly done: true };

/**
 * May a stage run on a message whose connection still has earlier messages unanswered (only ever
 * pipelined handlers, runner.ts)? 'check': yes, it reads the message and connection state that a
 * pipelined handler does not change (identity, session, rate bucket by arrival). 'pipelined': yes
 * when the message's route is declared `pipelined`; once it started, the next message may start
 * too. Absent: no, the rest of the message waits until the earlier ones are answered.
 */
export type Ahead = 'check' | 'pipelined';

/** A stage as the runner and `guard.pipeline` see it: a name and a run over the message. */
export interface PipelineStage {
  readonly name: string;
  readonly ahead?: Ahead;
  run(m: InboundMessage): StageOutcome | Promise<StageOutcome>;
}

/**
 * A stage that runs on messages known to be `In` and, when it passes, guarantees `Out` (what it
 * sets). `run` is a function property, not a method, so TypeScript checks its parameter strictly:
 * a stage needing `Routed` cannot be placed where only `Enveloped` is known (see `pipeline()`).
 */
export interface Stage<In extends InboundMessage, Out extends InboundMessage = In> {
  readonly name: string;
  readonly ahead?: Ahead;
  readonly run: (m: In) => StageOutcome | Promise<StageOutcome>;
  /** Type-only marker of what the stage guarantees; never set. */
  readonly provides?: Out;
}

/** Builds the stage list in order; each `then` accepts only a stage whose input the earlier ones guarantee. */
export interface PipelineBuilder<M extends InboundMessage> {
  then<Out extends InboundMessage>(stage: Stage<M, Out>): PipelineBuilder<M & Out>;
  readonly stages: readonly PipelineStage[];
}

export function pipeline(): PipelineBuilder<InboundMessage> {
  return builder([]);
}

function builder<M extends InboundMessage>(stages: readonly PipelineStage[]): PipelineBuilder<M> {
  return {
    stages,
    // The guarantee is checked at compile time above; at run time every stage takes the one message object.
    then: <Out extends InboundMessage>(stage: Stage<M, Out>) => builder<M & Out>([...stages, stage as unknown as PipelineStage]),
  };
}
