/** Builds the handler context for a message that passed validation. */
import type { Identity } from '../../auth/types.js';
import type { ServerMessage } from '../../protocol/index.js';
import type { GuardConnection } from '../connection.js';
import type { MessageContext } from '../types.js';
import type { Routed } from './types.js';

export interface HandlerContext extends MessageContext {
  readonly replied: boolean;
}

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
    this.connection.send(id !== undefined && message.type !== 'event' && message.type !== 'session.expiring' ? { ...message, id } : message);
  }
}

export function handlerContext(m: Routed): HandlerContext {
  return new Context(m);
}
