/**
 * Runs pipeline stages over one message. Error frames carry only registry codes and fixed
 * messages (never input, never a stack); anything unexpected becomes `internal` plus a
 * `handler_error` security event, and never escapes to crash the process.
 *
 * Stages that answer synchronously are not awaited: a message whose stages are all synchronous
 * runs to completion inside the socket's 'message' event, with no promise built for it. Only a
 * stage that returns a real Promise turns the rest of that message asynchronous.
 */
import { WsguardError, errorInfo, parseBoundedJson, type ErrorCodeValue } from '../../protocol/index.js';
import { earliestArrival } from './arrival.js';
import { checkEnvelope } from './envelope.js';
import { ConnectionQueue } from './queue.js';
import type { GuardConnection } from '../connection.js';
import type { GuardCore } from '../core.js';
import type { InboundMessage, PipelineStage, StageOutcome } from './types.js';

export function sendError(conn: GuardConnection, code: ErrorCodeValue, id: string | undefined, field?: string): void {
  const payload = field ? { code, message: errorInfo(code).message, field } : { code, message: errorInfo(code).message };
  conn.send(id !== undefined ? { type: 'error', id, payload } : { type: 'error', payload });
}

/** Runs the stages; undefined when it finished synchronously, else a promise that never rejects. */
export function runPipeline(stages: readonly PipelineStage[], m: InboundMessage): Promise<void> | undefined {
  return runFrom(stages, m, 0);
}

/** May this stage run while the messages before `m` are unanswered (see `Ahead` in types.ts)? */
function mayRunAhead(stage: PipelineStage, m: InboundMessage): boolean {
  return stage.ahead === 'check' || (stage.ahead === 'pipelined' && m.route?.pipelined === true);
}

/** Runs `fn` once the messages before `m` are answered (at once when none are unanswered). */
function inTurn<T>(m: InboundMessage, fn: () => T): T | Promise<Awaited<T>> {
  const after = m.after;
  if (after === undefined) return fn();
  m.after = undefined; // once it settled, everything before is answered: no more waiting
  return after.then(fn) as Promise<Awaited<T>>;
}

function runFrom(stages: readonly PipelineStage[], m: InboundMessage, start: number): Promise<void> | undefined {
  let finished = true;
  try {
    for (let i = start; i < stages.length; i++) {
      if (m.conn.closed) return;
      const stage = stages[i]!;
      if (m.after !== undefined && !mayRunAhead(stage, m)) {
        finished = false;
        return inTurn(m, () => runFrom(stages, m, i));
      }
      const outcome = stage.run(m);
      if (outcome instanceof Promise) {
        finished = false;
        // A pipelined handler is running (its effects are queued in order): the next message may start.
        if (stage.ahead === 'pipelined' && m.route?.pipelined === true) m.pipelined = true;
        const next = i + 1;
        return outcome.then(
          (o) => (o === undefined ? runFrom(stages, m, next) : inTurn(m, () => settle(m, o))),
          (err: unknown) => inTurn(m, () => settle(m, undefined, err)),
        );
      }
      if (outcome !== undefined) {
        if (m.after !== undefined) {
          finished = false;
          return inTurn(m, () => settle(m, outcome));
        }
        apply(m, outcome);
        return;
      }
    }
  } catch (err) {
    if (m.after !== undefined) {
      finished = false;
      return inTurn(m, () => settle(m, undefined, err));
    }
    fail(m, err);
  } finally {
    if (finished) count(m);
  }
  return undefined;
}

/** Ends a message whose answer waited (an asynchronous stage, or earlier messages): its outcome, or what it threw. */
function settle(m: InboundMessage, outcome: Exclude<StageOutcome, undefined> | undefined, err?: unknown): undefined {
  try {
    if (outcome !== undefined) apply(m, outcome);
    else fail(m, err);
  } catch (e) {
    fail(m, e);
  } finally {
    count(m);
  }
  return undefined;
}

function apply(m: InboundMessage, outcome: Exclude<StageOutcome, undefined>): void {
  const { conn } = m;
  if ('done' in outcome) return;
  if ('close' in outcome) {
    conn.violation(outcome.violation, m.envelope?.type);
    conn.close(outcome.close, outcome.reason);
    return;
  }
  sendError(conn, outcome.error, m.envelope?.id, outcome.field);
  if (outcome.violation) conn.violation(outcome.violation, m.route?.type);
}

function fail(m: InboundMessage, err: unknown): void {
  const { conn, core } = m;
  if (err instanceof WsguardError) {
    sendError(conn, err.code, m.envelope?.id);
    return;
  }
  const type = m.route?.type ?? 'unknown';
  core.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack }, type, connectionId: conn.id }, 'handler threw');
  core.security({ kind: 'handler_error', type, ...conn.ref });
  sendError(conn, 'internal', m.envelope?.id);
}

function count(m: InboundMessage): void {
  m.core.metrics.countMessage(m.route?.type ?? (m.envelope ? 'unknown' : 'invalid'));
}

/** The id of a message refused before its pipeline ran: only a valid envelope's, never raw input. */
function correlationId(core: GuardCore, data: Buffer, isBinary: boolean): string | undefined {
  if (isBinary) return undefined;
  const parsed = parseBoundedJson(data.toString('utf8'), core.options.json);
  return parsed.ok ? checkEnvelope(parsed.value)?.id : undefined;
}

/**
 * Runs a received message now when the connection may start one (nothing unanswered, or only
 * pipelined handlers below the cap), else queues it (bounded by maxQueued): arrival order, and
 * answers in that order (queue.ts).
 */
export function receive(stages: readonly PipelineStage[], core: GuardCore, conn: GuardConnection, data: Buffer, isBinary: boolean): void {
  // Stamped here, before any queueing: the rate limit charges by arrival, not by processing.
  const receivedAt = Date.now();
  const arrivedFrom = earliestArrival(receivedAt);
  conn.lastActivity = receivedAt;
  if (conn.draining) return;
  if (conn.queued >= core.options.maxQueued) {
    sendError(conn, 'rate_limited', correlationId(core, data, isBinary));
    conn.violation('queue_full');
    return;
  }
  // Replies sent in this tick (a burst of frames from one read) leave in one write.
  conn.cork();
  const m: InboundMessage = { conn, core, data, isBinary, receivedAt, arrivedFrom };
  conn.queued++;
  const q = conn.messages;
  if (q === undefined || (q.waiting.length === 0 && q.open(core.options.maxPipelined))) {
    begin(stages, conn, m);
    return;
  }
  q.waiting.push(m);
  noteFull(q, core);
}

/** Counts, once per message, a next message held back by the maxPipelined cap alone. */
function noteFull(q: ConnectionQueue, core: GuardCore): void {
  const next = q.waiting[0];
  if (next === undefined || next === q.counted || q.held || q.pipelined < core.options.maxPipelined) return;
  q.counted = next;
  core.metrics.pipelineFull.inc();
}

/** Starts one message; the messages before it are answered, or are pipelined handlers in flight. */
function begin(stages: readonly PipelineStage[], conn: GuardConnection, m: InboundMessage): void {
  const q = conn.messages;
  if (q !== undefined && q.inflight > 0) m.after = q.tail;
  let pending: Promise<void> | undefined;
  try {
    pending = runPipeline(stages, m);
  } catch {
    // runPipeline handles its own errors; this only guards the socket's event handler.
  }
  if (pending === undefined) {
    answered(stages, conn, false, false);
    return;
  }
  const queue = (conn.messages ??= new ConnectionQueue());
  // Read once, now: a handler that starts later (after an asynchronous check) holds the queue instead.
  const pipelined = m.pipelined === true;
  queue.inflight++;
  if (pipelined) queue.pipelined++;
  else queue.held = true;
  queue.tail = pending.then(() => answered(stages, conn, true, pipelined));
}

/** A started message was answered: count it off, then start what may start now. */
function answered(stages: readonly PipelineStage[], conn: GuardConnection, async: boolean, pipelined: boolean): void {
  conn.queued--;
  const q = conn.messages;
  if (q === undefined) return;
  if (async) {
    q.inflight--;
    if (pipelined) q.pipelined--;
    else q.held = false;
  }
  pump(stages, conn, q);
  if (conn.queued === 0) q.idle();
}

function pump(stages: readonly PipelineStage[], conn: GuardConnection, q: ConnectionQueue): void {
  if (q.pumping) return; // the pump below us continues
  q.pumping = true;
  try {
    const max = conn.core.options.maxPipelined;
    while (q.waiting.length > 0 && q.open(max)) {
      const next = q.waiting.shift()!;
      if (next === q.counted) q.counted = undefined; // holds no message (and its data) once it ran
      begin(stages, conn, next);
    }
    noteFull(q, conn.core);
  } finally {
    q.pumping = false;
  }
}
