import { isControlPacket, looksLikeError } from '../../canary.js';
import { limitOptions } from '../../options.js';
import { eventArgs } from '../../socketio.js';
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
  description: 'Over one socket sends the canary (or the first --message) once to count its replies, then 500 times within 10 s in ten bursts. The answers counted are the frame the single message drew (matching --canary-expect when the canary is repeated; a Socket.IO ACK compared by its arguments, whatever its ack id; Engine.IO/Socket.IO control packets never count), so traffic other sessions fan out to the socket neither inflates nor replaces them. Finding: every message answered, with no new error reply, no close and no dropped replies. A pass gives what was observed as its reason (the close, the error reply, or how many answers came). Only a rate-like answer is a limit (close 1013 or 4429, a close reason or error reply naming a rate, limit, too many or slow down, or dropped and delayed replies): a flood refused otherwise (a protocol error such as graphql-ws closing 4409 on the reused operation id, 1002, 1003, 1007, 4400) is skipped, naming the close. Skipped without a message that gets a reply.',
};

const short = (t: string, n: number) => (t.length > n ? `${t.slice(0, n)}…` : t);

/** Runs late: a rate limit may throttle this client for a while. */
export const phase = 1;

export function timeoutMs(o: Parameters<typeof limitOptions>[0]): number {
  return limitOptions(o).rateWindowMs * 2 + o.canaryWaitMs * 2 + 15_000;
}

/** Words of a rate-limit answer (close reason or reply): anything else refusing the flood is not one. */
const RATE_WORDS = /rat(?:e|ing)[ _-]?limit|\brate\b|limit|too[ _-]?many|slow[ _-]?down|throttl|quota|flood|try[ _-]?again[ _-]?later/i;

/**
 * 1013 (try again later) and 4429 (HTTP 429's analogue) are rate answers by themselves; any other
 * close only with a reason naming a rate: 4409 for a reused graphql-ws operation id, 1002, 1003,
 * 1007 or 4400 refuse the repeated message itself, not its rate.
 */
function rateClose(code: number, reason: string): boolean {
  return code === 1013 || code === 4429 || RATE_WORDS.test(reason);
}

/** Undefined once judged; else why the flood says nothing about a rate limit (a skip, after the liveness probe). */
async function probe(ctx: CheckContext): Promise<string | undefined> {
  const { rateMessages, rateWindowMs } = limitOptions(ctx.options);
  const msg = ctx.options.canary ?? ctx.options.messages[0];
  if (!msg) ctx.skip('needs a message to repeat (--canary or --message)');
  const r = await ctx.connect();
  if (!r.ok) ctx.skip(`baseline connection failed (${r.status ?? r.error})`);
  const s = r.socket;
  const start = s.messages.length;
  s.send(msg);
  // The reply is the first frame that is not a control packet (and matches --canary-expect when the
  // canary is repeated): traffic other checks fan out to this socket is not this message's answer.
  const socketIo = ctx.options.protocol === 'socket.io';
  const re = msg === ctx.options.canary && ctx.options.canaryExpect ? new RegExp(ctx.options.canaryExpect) : null;
  const first = await s.waitFor((m) => !isControlPacket(m, socketIo) && (re === null || re.test(m)), ctx.options.canaryWaitMs, start);
  if (first === null) ctx.skip('the message gets no reply, so throttling cannot be observed');
  await s.collect(200);
  // Engine.IO/Socket.IO control packets are no answer: socket.io 2 answers the client's CONNECT
  // with a second `40` about 100 ms after its own, which used to double the replies expected.
  const answers = (from: number) => s.messages.slice(from).filter((m) => !isControlPacket(m, socketIo));
  const baseline = new Set(answers(start));
  const perMessage = Math.max(1, answers(start).length);

  const from = s.messages.length;
  const bursts = 10;
  const t0 = Date.now();
  for (let b = 0; b < bursts && !s.closed && !ctx.signal.aborted; b++) {
    const n = Math.floor(rateMessages / bursts) + (b < rateMessages % bursts ? 1 : 0);
    for (let i = 0; i < n; i++) s.send(msg);
    if (b < bursts - 1) await ctx.sleep(rateWindowMs / bursts);
  }
  // A stable reply (the same frame each time) is counted itself, so frames fanned out to this
  // socket by other sessions (a chat, another check) neither inflate nor stand in for the answers.
  // Otherwise every frame counts, against the frames one message drew.
  // A Socket.IO ACK carries the ack id of its event (`431[…]`, `432[…]`): compared by its arguments.
  const same = socketIo ? (m: string) => eventArgs(m) === eventArgs(first) : (m: string) => m === first;
  const stable = (rs: string[]) => rs.filter(same).length;
  const want = rateMessages * perMessage;
  const enough = () => {
    const rs = answers(from);
    return stable(rs) >= rateMessages || rs.length >= want;
  };
  // A busy server answers late, not never: keep waiting while replies still arrive (bounded),
  // so a slow echo under load is not read as dropped replies.
  const until = Date.now() + rateWindowMs;
  for (let seen = -1; !enough() && s.messages.length !== seen && !s.closed && Date.now() < until && !ctx.signal.aborted; ) {
    seen = s.messages.length;
    await s.waitFor(() => enough(), ctx.options.canaryWaitMs, seen);
  }
  const replies = answers(from);
  const throttled = replies.find((m) => looksLikeError(m) && !baseline.has(m));
  const answered = stable(replies);
  const elapsed = Date.now() - t0;
  const sent = `${rateMessages} messages in ${elapsed} ms on one socket`;
  const rateReply = replies.find((m) => !baseline.has(m) && RATE_WORDS.test(m));
  if (s.closed) {
    const closed = `closed (${s.closed.code}${s.closed.reason ? ` ${short(s.closed.reason, 60)}` : ''}) after ${replies.length} replies`;
    if (rateClose(s.closed.code, s.closed.reason) || rateReply) return void ctx.observed(`${sent}: ${closed}`);
    return `${sent}: ${closed}: the flood was refused for another reason, not a rate limit, so whether one exists is not known`;
  }
  if (throttled) {
    if (RATE_WORDS.test(throttled)) return void ctx.observed(`${sent}: an error reply not seen for a single message: ${short(throttled, 80)}`);
    return `${sent}: an error reply not seen for a single message, naming no rate limit (${short(throttled, 80)}): the flood was refused for another reason, not a rate limit, so whether one exists is not known`;
  }
  const allAnswered = answered >= rateMessages * 0.9 || replies.length >= want * 0.9;
  if (!allAnswered) return void ctx.observed(`${sent}: ${answered > 0 ? `${answered} answers` : `${replies.length} replies`} of ${answered > 0 ? rateMessages : want} expected within ${rateWindowMs} ms after the flood (replies dropped or delayed)`);
  ctx.report({
    confidence: 'certain',
    evidence: `${sent} all answered (${answered > 0 ? `${answered} answers` : `${replies.length} replies`}), with no error, close or drop.`,
  });
}

export async function run(ctx: CheckContext): Promise<void> {
  const notRate = await probe(ctx);
  if (await reportIfDown(ctx, 'the message flood')) return;
  if (notRate !== undefined) ctx.skip(notRate);
}
