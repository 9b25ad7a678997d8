import { isProtectedData } from '../../canary.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-SESSION-01',
  title: 'Socket survives logout / revocation',
  area: 'SESSION',
  severity: 'high',
  mode: 'intrusive',
  references: ['ASVS 7.4.1', 'ASVS 7.4.2', 'OWASP-CS'],
  remediation: 'Keep a session→connections index and close every socket of a session (1008) as soon as it is logged out or revoked.',
  description: 'Opens a socket with the session --logout-cmd ends (--logout-token/--logout-cookie, else the main credentials), checks the canary returns protected data, runs --logout-cmd, then sends the canary every 5 s for --session-wait (default 20 s, 60 s with --thorough). Finding when the socket still returns protected data at the end.',
};

/** A long observation: runs beside the other checks (see CheckModule.background). */
export const background = true;

/** Logging the main session out would pull it from under every check still running. */
export function endsSession(o: AuditOptions): boolean {
  return !o.logoutIdentity;
}

export function timeoutMs(o: AuditOptions): number {
  return o.sessionWaitMs + o.canaryWaitMs * 2 + 20_000;
}

export async function run(ctx: CheckContext): Promise<void> {
  const { logoutCmd, canary, canaryExpect, sessionWaitMs, canaryWaitMs } = ctx.options;
  if (!logoutCmd) ctx.skip('needs a logout or revoke command (--logout-cmd)');
  if (!canary) ctx.skip('needs a canary message (--canary)');
  const isData = isProtectedData(ctx.options);
  const r = await ctx.connect(ctx.options.logoutIdentity ? { credentials: ctx.options.logoutIdentity } : {});
  if (!r.ok) ctx.skip(`${ctx.options.logoutIdentity ? 'the logout identity\'s' : 'baseline'} connection failed (${r.status ?? r.error})`);
  const s = r.socket;
  s.send(canary);
  if ((await s.waitFor(isData, canaryWaitMs)) === null) ctx.skip('the canary returned no data on the baseline socket');
  await ctx.runCommand(logoutCmd);
  const step = Math.min(5000, Math.max(100, Math.floor(sessionWaitMs / 4)));
  const until = Date.now() + sessionWaitMs;
  let last: string | null = null;
  while (!ctx.signal.aborted) {
    if (s.closed) return;
    const from = s.messages.length;
    s.send(canary);
    last = await s.waitFor(isData, canaryWaitMs, from);
    if (Date.now() >= until) break;
    await ctx.sleep(Math.min(step, until - Date.now()));
  }
  if (!s.closed && last !== null) {
    ctx.report({ confidence: canaryExpect ? 'certain' : 'tentative', evidence: `${sessionWaitMs} ms after the logout command the socket was still open and answered the canary: ${last.slice(0, 200)}` });
  }
}
