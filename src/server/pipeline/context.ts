/** Builds the handler context for a message that passed validation. */
import type { ServerMessage } from '../../protocol/index.js';
import type { MessageContext } from '../types.js';
import type { InboundMessage } from './types.js';

export interface HandlerContext extends MessageContext {
  readonly replied: boolean;
}

export function handlerContext(m: InboundMessage): HandlerContext {
  let replied = false;
  const id = m.envelope!.id;
  return {
    connection: m.conn,
    identity: m.conn.identity,
    id,
    type: m.route!.type,
    get replied() {
      return replied;
    },
    reply(message: ServerMessage) {
      replied = true;
      m.conn.send(id !== undefined && message.type !== 'event' && message.type !== 'session.expiring' ? { ...message, id } : message);
    },
  };
}
