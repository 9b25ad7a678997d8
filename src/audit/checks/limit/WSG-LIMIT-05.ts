import { looksLikeError } from '../../canary.js';
import { limitOptions } from '../../options.js';
import { reportIfDown } from './liveness.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-LIMIT-05',
  title: 'No per-connection message rate limit',
  area: 'LIMIT',
  severity: 'medium',
  mode: 'intrusive',
  references: ['OWASP-CS rate limiting', 'ASVS 2.4.1', 'CWE-1385 (leaky bucket)'],
  remediation: 'Apply a per-connection token bucket (wsguard: 20 msg/s, burst 40) and a per-user aggregate; answer excess with an error, then close 1008.',
  description: 'Over one socket sends the canary (or the first --message) once to count its replies, then 500 times within 10 s in ten bursts. Finding: every message answered, with no new error reply, no close and no dropped replies. Skipped without a message that gets a reply.',
};

/** Runs late: a rate limit may throttle this client for a while. */
export const phase = 1;

export function timeoutMs(o: Parameters<typeof limitOptions>[0]): number {
  return limitOptions(o).rateWindowMs * 2 + o.canaryWaitMs * 2 + 15_000;
}

async function probe(ctx: CheckContext): Promise<void> {
  const { rateMessages, rateWindowMs } = limitOptions(ctx.options);
  const msg = ctx.options.canary ?? ctx.options.messages[0];
  if (!msg) ctx.skip('needs a message to repeat (--canary or --message)');
  const r = await ctx.connect();
  if (!r.ok) ctx.skip(`baseline connection failed (${r.status ?? r.error})`);
  const s = r.socket;
  const start = s.messages.length;
  s.send(msg);
  const first = await s.waitFor(() => true, ctx.options.canaryWaitMs, start);
  if (first === null) ctx.skip('the message gets no reply, so throttling cannot be observed');
  await s.collect(200);
  const baseline = new Set(s.messages.slice(start));
  const perMessage = s.messages.length - start;

  const from = s.messages.length;
  const bursts = 10;
  const t0 = Date.now();
  for (let b = 0; b < bursts && !s.closed && !ctx.signal.aborted; b++) {
    const n = Math.floor(rateMessages / bursts) + (b < rateMessages % bursts ? 1 : 0);
    for (let i = 0; i < n; i++) s.send(msg);
    if (b < bursts - 1) await ctx.sleep(rateWindowMs / bursts);
  }
  const want = rateMessages * perMessage;
  // A busy server answers late, not never: keep waiting while replies still arrive (bounded),
  // so a slow echo under load is not read as dropped replies.
  const until = Date.now() + rateWindowMs;
  for (let seen = -1; s.messages.length - from < want && s.messages.length !== seen && !s.closed && Date.now() < until && !ctx.signal.aborted; ) {
    seen = s.messages.length;
    await s.waitFor(() => s.messages.length - from >= want, ctx.options.canaryWaitMs, seen);
  }
  const replies = s.messages.slice(from);
  const throttled = replies.find((m) => looksLikeError(m) && !baseline.has(m));
  if (s.closed || throttled || replies.length < want * 0.9) return;
  ctx.report({
    confidence: 'certain',
    evidence: `${rateMessages} messages in ${Date.now() - t0} ms on one socket all answered (${replies.length} replies), with no error, close or drop.`,
  });
}

export async function run(ctx: CheckContext): Promise<void> {
  await probe(ctx);
  await reportIfDown(ctx, 'the message flood');
}
