import { requireAuthEnforced, statusLine } from '../../check-helpers.js';
import type { CheckContext, CheckMeta, Confidence } from '../../types.js';
import { credentialHeaders, replaceCredential, servedTo } from './forged.js';

export const meta: CheckMeta = {
  id: 'WSG-AUTH-06',
  title: 'No throttling of auth failures',
  area: 'AUTH',
  severity: 'medium',
  mode: 'intrusive',
  references: ['ASVS 2.4.1', 'ASVS 6.1.1'],
  remediation: 'Limit failed authentications per identity and per IP (e.g. 5 per minute, then 429 or close 1008 with backoff) and log them.',
  description: 'Sends 20 wrong credentials (the --token, the first --cookie and each credential --header replaced) in about 10 s (handshakes, or first messages over one socket where the protocol allows). Finding when all 20 are evaluated at full speed: no 429/503, no close 1008/4429/1013, no rate-limit message, no growing delay. Use a dedicated test account. A wrong credential that is served (the canary answer, or a 101 where no credential gets 401/403) is reported as a high "Wrong credential accepted" finding instead.',
};

const ATTEMPTS = 20;
const THROTTLE_STATUS = new Set([429, 503]);
const THROTTLE_CLOSE = new Set([1008, 1013, 4429]);
const THROTTLE_TEXT = /rate|throttl|too many|slow down|retry/i;

/** Brute force: runs after every other active check (the target should throttle us). */
export const phase = 2;

export async function run(ctx: CheckContext): Promise<void> {
  const c = ctx.options.credentials;
  const headers = credentialHeaders(c);
  if (!c.token && !c.cookie && headers.length === 0) ctx.skip('needs a credential shape to falsify (--token, --cookie, or a credential --header such as Authorization)');
  await requireAuthEnforced(ctx);
  const wrong = (i: number) => ({
    ...c,
    token: c.token ? `wsguard-wrong-${i}-${c.token.slice(0, 8)}` : undefined,
    cookie: c.cookie ? c.cookie.replace(/=.*/, `=wsguard-wrong-${i}`) : undefined,
    headers: { ...c.headers, ...Object.fromEntries(headers.map((h) => [h, replaceCredential(c.headers[h] ?? '', `wsguard-wrong-${i}`)])) },
  });
  // A wrong credential that is served is a finding here, not a reason to skip: nothing else may report it.
  const first = await servedTo(ctx, wrong(0));
  if (first.outcome === 'accepted') return reportAccepted(ctx, first.confidence, first.detail);
  // Where the refusal comes after the 101 (close, error message, Socket.IO CONNECT error), count on the socket.
  const firstMessage = Boolean(c.authMessage) || c.tokenIn === 'message' || !first.detail.startsWith('HTTP');
  const latencies: number[] = [];
  const outcomes: string[] = [];
  for (let i = 1; i <= ATTEMPTS && !ctx.signal.aborted; i++) {
    const t0 = Date.now();
    if (firstMessage) {
      const r = await ctx.connect({ credentials: wrong(i), acceptThrottle: true });
      if (!r.ok) {
        outcomes.push(`HTTP ${r.status ?? r.error}`);
        if (r.status && THROTTLE_STATUS.has(r.status)) return;
      } else {
        const closed = await r.socket.waitClose(500);
        const text = r.socket.messages.join(' ');
        r.socket.close();
        outcomes.push(closed ? `close ${closed.code}` : 'message');
        if ((closed && THROTTLE_CLOSE.has(closed.code)) || THROTTLE_TEXT.test(`${closed?.reason ?? ''} ${text}`)) return;
      }
    } else {
      const r = await ctx.handshake({ credentials: wrong(i), acceptThrottle: true });
      outcomes.push(`HTTP ${r.response.status}`);
      if (THROTTLE_STATUS.has(r.response.status)) return;
      // Refused with HTTP a moment ago, upgraded now: the wrong credential was let in.
      if (r.upgraded) return reportAccepted(ctx, 'likely', `attempt ${i + 1}: ${statusLine(r)}, while the same kind of wrong credential got ${first.detail} before`);
    }
    latencies.push(Date.now() - t0);
  }
  if (latencies.length < ATTEMPTS) ctx.skip('ran out of time before 20 attempts');
  const head = latencies.slice(0, 3).reduce((a, b) => a + b, 0) / 3;
  const tail = latencies.slice(-3).reduce((a, b) => a + b, 0) / 3;
  if (tail > Math.max(3 * head, head + 500)) return; // growing delay is a throttle
  ctx.report({ confidence: 'likely', evidence: `${ATTEMPTS} wrong credentials were each evaluated with no throttling signal (${[...new Set(outcomes)].join(', ')}; mean latency first 3: ${Math.round(head)} ms, last 3: ${Math.round(tail)} ms).` });
}

function reportAccepted(ctx: CheckContext, confidence: Confidence, detail: string): void {
  const c = ctx.options.credentials;
  const sent = [
    c.token ? `token wsguard-wrong-… (sent as ${c.tokenIn})` : '',
    c.cookie ? `cookie ${c.cookie.replace(/=.*/, '')}=wsguard-wrong-…` : '',
    ...credentialHeaders(c).map((h) => `header ${h}: ${replaceCredential(c.headers[h] ?? '', 'wsguard-wrong-…')}`),
  ].filter(Boolean).join(' and ');
  ctx.report({
    title: 'Wrong credential accepted', severity: 'high', confidence,
    remediation: 'Verify every credential against the issuer (signature, session store) before the upgrade or the first message; never accept a value for its format alone. Then limit failed authentications.',
    evidence: `A made-up credential (${sent}) was served: ${detail}. Throttling is not measured when wrong credentials get in.`,
  });
}
