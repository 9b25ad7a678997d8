/** Built-in message types: `ping` → `pong`, and `auth.refresh` (extend the session, or first-message auth). */
import { CLIENT_MESSAGES, CloseCode, CloseReason, errorInfo, type AuthRefreshPayload } from '../protocol/index.js';
import type { GuardConnection } from './connection.js';
import type { GuardCore } from './core.js';
import type { Route } from './types.js';

export function builtinRoutes(core: GuardCore): Route[] {
  return [
    {
      type: 'ping',
      schema: CLIENT_MESSAGES.ping,
      handler: (ctx) => ctx.reply({ type: 'pong', payload: {} }),
    },
    {
      type: 'auth.refresh',
      schema: CLIENT_MESSAGES['auth.refresh'],
      handler: async (ctx, payload) => {
        const conn = ctx.connection as GuardConnection;
        const { token } = payload as AuthRefreshPayload;
        // Only failures are throttled (issue 10): a valid refresh from an address whose failed-auth
        // bucket is empty still extends the session; a failure from it is answered rate_limited.
        const throttled = core.authenticator.isThrottled(conn.ip);
        const fail = (): undefined => {
          core.authenticator.recordFailure(conn.ip);
          conn.violation('invalid_refresh');
          const code = throttled ? 'rate_limited' : 'invalid_token';
          ctx.reply({ type: 'error', payload: { code, message: errorInfo(code).message } });
          // Before authentication there is nothing to keep: close now rather than at the deadline.
          if (!conn.authenticated) conn.close(CloseCode.UNAUTHENTICATED, CloseReason.UNAUTHENTICATED);
          return undefined;
        };
        let identity;
        try {
          identity = await core.authenticator.verifyToken(token, conn.authenticated ? conn.identity.method : 'bearer');
        } catch {
          return fail();
        }
        if (conn.authenticated) {
          if (identity.sub !== conn.identity.sub) return fail();
          const previous = conn.identity;
          conn.setIdentity(identity);
          // The app drops what the old identity was granted before anything else is delivered.
          core.refreshed(conn, previous);
          // A revocation of the new jti announced while it was being verified found the old one on
          // this connection: check again now that the new one is registered.
          await core.recheckRevocation(conn);
          return undefined;
        }
        conn.setIdentity(identity);
        await core.admit(conn);
        return undefined;
      },
    },
  ];
}
