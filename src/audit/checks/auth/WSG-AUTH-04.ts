import { credentialAccepted } from '../../check-helpers.js';
import { defaultCredentials } from '../../options.js';
import type { AuditOptions, CheckContext, CheckMeta, HandshakeVariant } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-AUTH-04',
  title: 'Handshake ticket replay or late use',
  area: 'AUTH',
  severity: 'medium',
  mode: 'safe',
  references: ['S13 (ticket pattern: single use, ~30–60 s, consumed on upgrade)'],
  remediation: 'Make tickets single use (consume atomically on upgrade) and short-lived (about 30 s), bound to the user and Origin.',
  description: 'With --ticket-cmd (prints a fresh ticket): uses one ticket twice; with --ticket-ttl, uses a fresh one after TTL + 5 s. Finding when the second or the late use is accepted (high for late use: the ticket does not expire).',
};

export function timeoutMs(o: AuditOptions): number {
  return (o.ticketTtlMs ?? 0) + o.lateMarginMs + 30_000;
}

/** Sends failing credentials: runs after the other checks (the target may throttle us). */
export const phase = 1;

export async function run(ctx: CheckContext): Promise<void> {
  const { ticketCmd, ticketParam, ticketTtlMs, lateMarginMs } = ctx.options;
  if (!ticketCmd) ctx.skip('needs a ticket source (--ticket-cmd)');
  const withTicket = (t: string): HandshakeVariant => ({ credentials: { ...defaultCredentials(), headers: {} }, query: { [ticketParam]: t } });
  const ticket = await ctx.runCommand(ticketCmd);
  if (!ticket) ctx.skip('--ticket-cmd printed nothing');
  const first = await credentialAccepted(ctx, withTicket(ticket));
  if (first.outcome !== 'accepted') ctx.skip(`a fresh ticket was not accepted (${first.detail}); check --ticket-cmd and --canary`);
  const second = await credentialAccepted(ctx, withTicket(ticket));
  if (second.outcome === 'accepted') ctx.report({ confidence: second.confidence, evidence: `The same ticket was accepted twice: ${second.detail}` });
  if (ticketTtlMs === undefined) return;
  const late = await ctx.runCommand(ticketCmd);
  await ctx.sleep(ticketTtlMs + lateMarginMs);
  const p = await credentialAccepted(ctx, withTicket(late));
  if (p.outcome === 'accepted') ctx.report({ severity: 'high', confidence: p.confidence, evidence: `A ticket used ${ticketTtlMs + lateMarginMs} ms after minting (declared TTL ${ticketTtlMs} ms) was accepted: ${p.detail}` });
}
