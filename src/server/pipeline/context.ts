/** Builds the handler context for a message that passed validation. */
import type { Identity } from '../../auth/types.js';
import { serializeAck, serializeWithId, type ServerMessage } from '../../protocol/index.js';
import type { GuardConnection } from '../connection.js';
import type { AckPayload, MessageContext } from '../types.js';
import type { Routed } from './types.js';

export interface HandlerContext extends MessageContext {
  readonly replied: boolean;
  /** The automatic `ack` (handler stage), serialized from a template. */
  ack(payload: AckPayload): void;
}

const EMPTY = Object.freeze({});

/** A class rather than an object literal with closures: one per message, on the hot path. */
class Context implements HandlerContext {
  replied = false;
  readonly connection: GuardConnection;
  readonly identity: Identity;
  readonly id: string | undefined;
  readonly type: string;

  constructor(m: Routed) {
    this.connection = m.conn;
    this.identity = m.conn.identity;
    this.id = m.envelope.id;
    this.type = m.route.type;
  }

  defer(): void {
    this.replied = true;
  }

  reply(message: ServerMessage): void {
    this.replied = true;
    const id = this.id;
    if (id === undefined || message.type === 'event' || message.type === 'session.expiring') this.connection.send(message);
    else this.connection.sendRaw(serializeWithId(message, id));
  }

  ack(payload: AckPayload): void {
    this.replied = true;
    // The acks of one group commit (a pipelined burst) are sent in one tick: one write, not one each.
    // A message answered in its 'message' event is corked already (runner.ts), so this costs a flag test.
    this.connection.cork();
    this.connection.sendRaw(serializeAck(payload || EMPTY, this.id)); // any falsy result acks `{}`, as before
  }
}

export function handlerContext(m: Routed): HandlerContext {
  return new Context(m);
}
