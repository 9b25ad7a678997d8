/** Stage 'session': before authentication (first-message auth) only `auth.refresh` is accepted; anything else closes with 4401. */
import { CloseCode, CloseReason } from '../../protocol/index.js';
import type { Routed, Stage } from './types.js';

export const AUTH_MESSAGE = 'auth.refresh';

export function sessionStage(): Stage<Routed> {
  return {
    name: 'session',
    ahead: 'check',
    run: (m) =>
      m.conn.authenticated || m.route.type === AUTH_MESSAGE
        ? undefined
        : { close: CloseCode.UNAUTHENTICATED, reason: CloseReason.UNAUTHENTICATED, violation: 'unauthenticated' },
  };
}
