import { anonymousProbe } from '../../check-helpers.js';
import { isControlPacket, isEchoOf, looksLikeError } from '../../canary.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-AUTH-01',
  title: 'Unauthenticated access',
  area: 'AUTH',
  severity: 'high',
  mode: 'safe',
  references: ['WSTG step 4', 'OWASP-CS', 'CWE-1385 mitigations', 'ws README auth pattern (S13)'],
  remediation: 'Authenticate before the upgrade and answer 401/403 without credentials (or, for first-message auth, close 4401/1008 without sending data).',
  description: 'Handshake without cookie, Authorization, token or ticket; if it upgrades, sends the operator canary (--canary) and waits. Finding (high) when the canary (or an unsolicited push) returns protected data. Without --canary but with sample messages (--message), sends them on the anonymous socket: when they are answered with data (not an error, not an echo), a medium finding "anonymous connection served: confirm it is meant to be public" with the exchange; --canary confirms and raises it. With neither, an open anonymous socket is reported as skipped, not pass.',
};

/** Sends failing credentials: runs after the other checks (the target may throttle us). */
export const phase = 1;

const MAX_MESSAGES = 3;
const short = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Sends the operator's sample messages on an anonymous socket; the first one answered with data. */
async function anonymousExchange(ctx: CheckContext): Promise<{ sent: string; reply: string } | null> {
  // Injection templates are INPUT's business; plain samples are what the real client sends.
  const samples = ctx.options.messages.filter((m) => !m.includes('{{')).slice(0, MAX_MESSAGES);
  if (!samples.length) return null;
  const r = await ctx.connect({ withCredentials: false });
  if (!r.ok) return null;
  const s = r.socket;
  const socketIo = ctx.options.protocol === 'socket.io';
  try {
    for (const sent of samples) {
      const from = s.messages.length;
      s.send(sent);
      const reply = await s.waitFor((m) => !isEchoOf(m, sent) && !isControlPacket(m, socketIo) && !looksLikeError(m) && m.trim() !== '', ctx.options.canaryWaitMs, from);
      if (reply !== null) return { sent, reply };
      if (s.closed) return null;
    }
    return null;
  } finally {
    s.close();
  }
}

export async function run(ctx: CheckContext): Promise<void> {
  const p = await anonymousProbe(ctx);
  if (p.outcome === 'accepted') {
    ctx.report({ confidence: p.confidence, evidence: `Connection without any credential: ${p.detail}` });
    return;
  }
  if (p.outcome === 'rejected') return;
  // Open anonymous socket and no canary to tell protected data from public: the samples can still show it is served.
  const served = await anonymousExchange(ctx);
  if (!served) ctx.skip(ctx.options.messages.length ? `${p.detail}; the sample messages got no data on an anonymous socket` : p.detail);
  ctx.report({
    severity: 'medium',
    confidence: 'likely',
    title: 'Anonymous connection served: confirm it is meant to be public',
    evidence: `Without any credential the handshake got 101, and the sample message ${short(served.sent)} was answered with ${short(served.reply)}. If this endpoint is not meant to be public, require authentication; give --canary (a message whose answer is protected) to confirm (the finding is then high).`,
  });
}
