/**
 * Correlated requests: ids `c-1`, `c-2`, ... echoed by the server in the `ack`/`pong`/`error` that answers.
 * A request made while disconnected waits (unsent) for the next open socket, bounded by its timeout.
 * A request already sent when the socket drops is rejected with the retryable `disconnected`, never resent:
 * the server may have applied it, and only the app knows whether doing it twice is harmless.
 */
import type { ServerMessage } from '../protocol/messages.js';
import { ClientError, fromErrorFrame } from './errors.js';

/** Options of Client.request. */
export interface RequestOptions {
  /** Rejects with `timeout` when no answer came by then (default: the client's requestTimeoutMs). */
  timeoutMs?: number;
  /**
   * Safe to apply twice: a request whose socket dropped before the answer is sent again on the next
   * connection instead of rejecting with `disconnected`. Default false (at most once).
   */
  idempotent?: boolean;
  /** Resends for an idempotent request (default 3). */
  maxRetries?: number;
}

interface Pending {
  frame: string;
  sent: boolean;
  resolve: (msg: ServerMessage) => void;
  reject: (err: ClientError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class Requests {
  private counter = 0;
  private readonly pending = new Map<string, Pending>();

  /** Requests waiting for an answer (sent or not). */
  get size(): number {
    return this.pending.size;
  }

  nextId(): string {
    this.counter += 1;
    return `c-${this.counter}`;
  }

  /**
   * Registers a request; `send` is tried now and again by flush() until it succeeds. `notConnected`
   * says why there is no connection (the last failed attempt): a request that times out unsent says so.
   */
  track(type: string, payload: object, timeoutMs: number, send: (frame: string) => boolean, notConnected?: () => ClientError | undefined): Promise<ServerMessage> {
    const id = this.nextId();
    const frame = JSON.stringify({ type, id, payload });
    return new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const why = p.sent ? undefined : notConnected?.();
        reject(
          why
            ? new ClientError('timeout', `${type} not sent within ${timeoutMs} ms: no connection (${why.message})`, { cause: why })
            : new ClientError('timeout', `no answer to ${type} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      const p: Pending = { frame, sent: false, resolve, reject, timer };
      this.pending.set(id, p);
      p.sent = send(frame);
    });
  }

  /** Sends every request still waiting for a socket, oldest first. */
  flush(send: (frame: string) => boolean): void {
    for (const p of this.pending.values()) if (!p.sent) p.sent = send(p.frame);
  }

  /** Settles the request this message answers; false when it answers none of ours. */
  settle(msg: ServerMessage): boolean {
    if (!('id' in msg) || msg.id === undefined) return false;
    const p = this.pending.get(msg.id);
    if (!p) return false;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.type === 'error') p.reject(fromErrorFrame(msg.payload));
    else p.resolve(msg);
    return true;
  }

  /** Rejects the requests that went out on a socket that is now gone (all of them when `all`). */
  rejectSent(err: ClientError, all = false): void {
    for (const [id, p] of this.pending) {
      if (!p.sent && !all) continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(err);
    }
  }
}
