/**
 * Runs pipeline stages over one message. Error frames carry only registry codes and fixed
 * messages (never input, never a stack); anything unexpected becomes `internal` plus a
 * `handler_error` security event, and never escapes to crash the process.
 */
import { WsguardError, errorInfo, type ErrorCodeValue } from '../../protocol/index.js';
import type { GuardConnection } from '../connection.js';
import type { GuardCore } from '../core.js';
import type { InboundMessage, PipelineStage } from './types.js';

export function sendError(conn: GuardConnection, code: ErrorCodeValue, id: string | undefined): void {
  const payload = { code, message: errorInfo(code).message };
  conn.send(id !== undefined ? { type: 'error', id, payload } : { type: 'error', payload });
}

export async function runPipeline(stages: readonly PipelineStage[], m: InboundMessage): Promise<void> {
  const { conn, core } = m;
  try {
    for (const stage of stages) {
      if (conn.closed) return;
      const outcome = await stage.run(m);
      if (outcome === undefined) continue;
      if ('done' in outcome) return;
      if ('close' in outcome) {
        conn.violation(outcome.violation, m.envelope?.type);
        conn.close(outcome.close, outcome.reason);
        return;
      }
      sendError(conn, outcome.error, m.envelope?.id);
      if (outcome.violation) conn.violation(outcome.violation, m.route?.type);
      return;
    }
  } catch (err) {
    if (err instanceof WsguardError) {
      sendError(conn, err.code, m.envelope?.id);
      return;
    }
    const type = m.route?.type ?? 'unknown';
    core.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack }, type, connectionId: conn.id }, 'handler threw');
    core.security({ kind: 'handler_error', type, ...conn.ref });
    sendError(conn, 'internal', m.envelope?.id);
  } finally {
    core.metrics.messages.inc({ type: m.route?.type ?? (m.envelope ? 'unknown' : 'invalid') });
  }
}

/** Queues a received message behind the connection's previous ones (bounded). */
export function receive(stages: readonly PipelineStage[], core: GuardCore, conn: GuardConnection, data: Buffer, isBinary: boolean): void {
  const receivedAt = Date.now();
  conn.lastActivity = receivedAt;
  if (conn.draining) return;
  if (conn.queued >= core.options.maxQueued) {
    sendError(conn, 'rate_limited', undefined);
    conn.violation('queue_full');
    return;
  }
  conn.queued++;
  conn.queue = conn.queue
    .then(() => runPipeline(stages, { conn, core, data, isBinary, receivedAt }))
    .catch(() => undefined)
    .finally(() => {
      conn.queued--;
    });
}
