import { isProtectedData } from '../../canary.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-AUTH-05',
  title: 'Pre-auth connection not bounded',
  area: 'AUTH',
  severity: 'medium',
  mode: 'safe',
  references: ['graphql-ws PROTOCOL.md (S13)', 'OWASP-CS DoS'],
  remediation: 'Close sockets that do not authenticate within a short window (graphql-ws: 3 s, code 4408; wsguard: ≤ 10 s) and refuse every application message before authentication (close 4401/1008).',
  description: 'First-message-auth endpoints only (--auth-message or --token-in message): (a) connect and send nothing: finding (medium) when the socket is not closed within the auth window (default 20 s, 30 s with --thorough; on Socket.IO tentative unless the window covers the default connectTimeout of 45 s); (b) connect and send the canary before authenticating: finding (high) when it is processed.',
};

/** A long observation: runs beside the other checks (see CheckModule.background). */
export const background = true;

/**
 * Socket.IO 3/4 close a connection that joins no namespace after connectTimeout (45 s default):
 * a shorter window shows the socket not closed yet, not that nothing ever closes it.
 */
const SOCKETIO_CONNECT_TIMEOUT_MS = 45_000;

export function timeoutMs(o: AuditOptions): number {
  return o.authWindowMs + o.canaryWaitMs + 15_000;
}

export async function run(ctx: CheckContext): Promise<void> {
  const c = ctx.options.credentials;
  if (!c.authMessage && c.tokenIn !== 'message') ctx.skip('not a first-message-auth endpoint (give --auth-message or --token-in message)');
  const silent = await ctx.connect({ withCredentials: false });
  if (!silent.ok) ctx.skip(`anonymous handshake refused (${silent.status ?? silent.error}): authentication happens before the upgrade`);
  const closed = await silent.socket.waitClose(ctx.options.authWindowMs);
  silent.socket.close();
  // On Socket.IO the socket did send something: the CONNECT without auth that every client sends first.
  const refused = ctx.options.protocol === 'socket.io' ? silent.socket.messages.find((m) => m.startsWith('44')) : undefined;
  const what = ctx.options.protocol === 'socket.io'
    ? `An unauthenticated Socket.IO client (a CONNECT without auth${refused ? `, answered ${refused.slice(0, 80)}` : ''}, then nothing): its Engine.IO transport was not closed within`
    : 'An unauthenticated socket that sent nothing was not closed within';
  const short = ctx.options.protocol === 'socket.io' && ctx.options.authWindowMs < SOCKETIO_CONNECT_TIMEOUT_MS;
  if (!closed) {
    ctx.report({
      // Say what was watched: a window shorter than connectTimeout cannot tell "unbounded" from "45 s".
      confidence: short ? 'tentative' : 'certain',
      evidence: `${what} ${ctx.options.authWindowMs / 1000} s.${short ? ` Socket.IO closes a connection that joins no namespace at connectTimeout (45 s by default; Socket.IO 2.x has none), which this window did not cover, so it shows no bound was seen, not that none exists (--auth-window 50 tells them apart); a connectTimeout of a few seconds bounds it either way.` : ''}`,
    });
  }

  const probe = ctx.options.canary ?? ctx.options.messages[0];
  if (!probe) return;
  const early = await ctx.connect({ withCredentials: false });
  if (!early.ok) return;
  early.socket.send(probe);
  const reply = await early.socket.waitFor(isProtectedData(ctx.options), ctx.options.canaryWaitMs);
  early.socket.close();
  if (reply !== null) {
    ctx.report({ severity: 'high', confidence: ctx.options.canaryExpect ? 'certain' : 'tentative', evidence: `An application message sent before authenticating was answered: ${reply.slice(0, 200)}` });
  }
}
