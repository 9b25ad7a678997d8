/**
 * The order of one connection's messages (runner.ts). They start in arrival order, one at a time,
 * except behind pipelined handlers: while every started, unanswered message is a pipelined handler
 * in flight (at most `maxPipelined`), the next one may start too. Answers still leave in arrival
 * order: a message that starts ahead carries `after`, the settling of the one before it.
 *
 * Made on a connection's first message that does not finish synchronously: most never need it.
 */
import type { InboundMessage } from './types.js';

const SETTLED: Promise<void> = Promise.resolve();

export class ConnectionQueue {
  /** Received and not started, in arrival order. */
  readonly waiting: InboundMessage[] = [];
  /** Started and not yet answered. */
  inflight = 0;
  /** Of those, the pipelined ones (their handler started; the next message did not wait for them). */
  pipelined = 0;
  /** A started message that is not pipelined is unanswered: nothing else starts until it is. */
  held = false;
  /** Settles when the last started message has been answered. */
  tail: Promise<void> = SETTLED;
  /** The waiting message last counted as held back by the cap (wsguard_pipeline_full_total). */
  counted: InboundMessage | undefined;
  /** A pump is running (start() may finish a message synchronously, which pumps again). */
  pumping = false;
  private idleWaiters: (() => void)[] | undefined;

  /** May a message start now, rather than wait? */
  open(maxPipelined: number): boolean {
    return !this.held && this.pipelined < maxPipelined;
  }

  /** Settles once every received message has been answered (`queued` is the connection's count). */
  whenIdle(queued: number): Promise<void> {
    if (queued === 0) return SETTLED;
    return new Promise((resolve) => (this.idleWaiters ??= []).push(resolve));
  }

  /** Called when the connection's count of unanswered messages reached 0. */
  idle(): void {
    const waiters = this.idleWaiters;
    if (!waiters) return;
    this.idleWaiters = undefined;
    for (const w of waiters) w();
  }
}
