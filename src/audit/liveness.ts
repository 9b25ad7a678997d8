/**
 * Did a probe take the target down? After each check the runner asks the target for a fresh
 * baseline handshake. One failed handshake is not a crash: servers busy after a connection-cap,
 * slowloris or flood check often miss one and answer a second later. So a failure is followed
 * by probes with a bounded back-off over `livenessWindowMs` (default 12 s); only a target that
 * answers none of them is called down (WSG-LIVE-01, high), and one that comes back is at most
 * slow to recover (WSG-LIVE-02, low). Either names the check, and the input that check says it
 * sent, that preceded the silence, and how long the silence lasted. The finding is never filed
 * under the check that happened to run before (an XSS check did not find an XSS because the
 * server fell over afterwards).
 */
import { BudgetExceededError } from './budget.js';
import { createContext, type AuditShared } from './context.js';
import { LivenessLog, type LivenessEvent } from './liveness-log.js';
import type { CheckContext } from './types.js';

/** Schedule of waits between probes (ms), cut at the window. */
const BACKOFF = [500, 1000, 2000, 3000, 4000, 5000];

export function livenessLog(shared: AuditShared): LivenessLog {
  return (shared.liveness ??= new LivenessLog());
}

/**
 * Does the target answer a fresh baseline handshake? A 101 is an answer; so is any HTTP status
 * but 502/504 (a 429/503 after a flood is throttling, a 401 is a living server); a proxy's
 * 502/504, a refused or reset connection, or silence until the timeout is no answer.
 */
export async function probeAlive(ctx: CheckContext, timeoutMs = 5000): Promise<{ alive: boolean; detail: string }> {
  try {
    const r = await ctx.handshake({ acceptThrottle: true, livenessProbe: true, raw: { timeoutMs } });
    const s = r.response.status;
    if (r.upgraded) return { alive: true, detail: 'HTTP 101' };
    return s === 502 || s === 504 ? { alive: false, detail: `HTTP ${s} from a proxy` } : { alive: true, detail: `HTTP ${s}` };
  } catch (e) {
    if (e instanceof BudgetExceededError) throw e;
    return { alive: false, detail: (e as Error).message };
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** What the watch calls the auditor's first request when the target falls silent right after it. */
export const BASELINE_HANDSHAKE = 'the baseline handshake';

/** How long an "it is down" verdict stands before a check about to start asks again. */
const RECHECK_MS = 2000;

/**
 * How long, once per crash, the next check waits for a target called down to answer again before
 * it (and every check after it) is reported not judged (option recoveryWaitMs, default 2.5 ×
 * livenessWindowMs: 30 s). A server whose one loop is busy (gevent-websocket unmasking a 100 MiB
 * message byte by byte in Python) answers again after tens of seconds on a loaded machine: without
 * the wait every check queued behind the stall was skipped, though the target was fine soon after.
 * A dead target costs this once.
 */
const REFUSED = /ECONNREFUSED/;

export function recoveryWaitMs(o: AuditShared['options']): number {
  return o.recoveryWaitMs ?? Math.round(o.livenessWindowMs * 2.5);
}

/**
 * Runner hook: the baseline as it was before any check ran (what "still answers" is measured
 * against), then one fresh handshake: a target that answered the baseline and never again was
 * taken down by the baseline handshake itself, not by the first check to run.
 */
export async function beforeChecks(shared: AuditShared): Promise<void> {
  const log = livenessLog(shared);
  const { ctx, done } = watchContext(shared);
  try {
    if (!(await ctx.baselineOk())) return;
    await log.exclusive(() => confirm(shared, ctx, log, BASELINE_HANDSHAKE, [], probeTimeout(shared), []));
  } catch (e) {
    if (!(e instanceof BudgetExceededError)) throw e;
  } finally {
    done();
  }
}

function probeTimeout(shared: AuditShared): number {
  return Math.min(5000, shared.options.requestTimeoutMs);
}

/**
 * Runner hook, before a check starts: the crash still open (the target stopped answering and has
 * not answered since), after at most one more probe every RECHECK_MS. A check started against a
 * dead target would judge nothing: the runner reports it skipped instead.
 */
export async function stillDown(shared: AuditShared, signal?: AbortSignal): Promise<LivenessEvent | undefined> {
  const log = shared.liveness;
  if (!log?.openCrash()) return undefined;
  await log.exclusive(async () => {
    const open = log.openCrash();
    if (!open) return;
    const { ctx, done } = watchContext(shared, signal);
    try {
      // The first check after the crash waits (bounded, once per crash) for the target to answer
      // again, probing every RECHECK_MS; later ones make at most one probe each.
      // A refused connection means nothing listens any more (the process died): no use waiting.
      // A stalled server still accepts the connection and answers nothing: that one may come back.
      const until = (open.recoveryUntil ??= Date.now() + (REFUSED.test(open.detail) ? 0 : recoveryWaitMs(shared.options)));
      for (let i = 0; i < 100 && open.answeredAt === undefined && !ctx.signal.aborted; i++) {
        const wait = open.lastFailure + RECHECK_MS - Date.now();
        if (wait > 0) {
          if (Date.now() + wait >= until) break;
          await ctx.sleep(wait);
          if (ctx.signal.aborted) break;
        }
        await reprobe(ctx, open, probeTimeout(shared));
        if (Date.now() >= until) break;
      }
    } finally {
      done();
    }
  });
  return log.openCrash();
}

/** One more probe of a target called down: it answered (the crash ends), or the silence goes on. */
async function reprobe(ctx: CheckContext, open: LivenessEvent, timeoutMs: number): Promise<void> {
  const p = await probeAlive(ctx, timeoutMs);
  open.probes++;
  if (p.alive) {
    open.answeredAt = Date.now();
    return;
  }
  open.failures++;
  open.lastFailure = Date.now();
  open.detail = p.detail;
}

/** A context for the watch's own probes (recorded under WSG-LIVE-01), closed by `done`. */
function watchContext(shared: AuditShared, stop?: AbortSignal): { ctx: CheckContext; done(): void } {
  const abort = new AbortController();
  if (stop?.aborted) abort.abort();
  else stop?.addEventListener('abort', () => abort.abort(), { once: true });
  const handle = createContext(shared, 'WSG-LIVE-01', abort.signal);
  return { ctx: handle.ctx, done: () => { abort.abort(); handle.dispose(); } };
}

/**
 * Did `checkId` try to reach the target at all? Counted per connection attempt, not per answer:
 * against a target that died, every attempt fails and nothing is recorded, and that is exactly
 * when the watch must look.
 */
function triedAnything(shared: AuditShared, checkId: string): boolean {
  return (shared.attempts?.get(checkId) ?? 0) > 0 || shared.traffic.entries().some((e) => e.checkId === checkId);
}

/**
 * The input that preceded the silence (inputs.ts): the earliest one `checkId` sent that the
 * target never answered, noted before it went out; the auditor's liveness pings and its
 * cleanup closes are never named.
 */
function triggerInput(shared: AuditShared, checkId: string): string[] {
  const t = shared.inputs?.trigger(checkId);
  return t ? [t] : [];
}

/**
 * Runner hook: after `checkId` finished, is the target still there? The quick probe runs
 * alongside the other checks; only a confirmation (back-off) takes the watch's lock, so
 * concurrent checks wait for one verdict instead of piling on probes.
 */
export async function afterCheck(shared: AuditShared, checkId: string, alongside: string[] = []): Promise<void> {
  const log = livenessLog(shared);
  const suspects = log.takeSuspects(checkId);
  const stall = shared.stalls?.get(checkId);
  shared.stalls?.delete(checkId);
  // A check that tried to reach nothing cannot have taken the target down.
  if (!suspects.length && !log.openCrash() && !triedAnything(shared, checkId)) return;
  const timeoutMs = probeTimeout(shared);
  const { ctx, done } = watchContext(shared);
  try {
    // Without a working baseline there is nothing to compare with.
    if (!(await ctx.baselineOk())) return;
    if (!log.openCrash()) {
      const quick = await probeAlive(ctx, timeoutMs);
      if (quick.alive) {
        // The check saw it down, and it answers now: it came back on its own.
        const earliest = suspects[0];
        if (earliest) log.events.push({ after: checkId, inputs: [...suspects.map((x) => x.input), ...triggerInput(shared, checkId)], since: earliest.at, probes: 1, failures: 0, outcome: 'recovered', answeredAt: Date.now(), lastFailure: earliest.at, detail: 'the check\'s own probe got no answer', alongside });
        // The check's own copy of the baseline request went unanswered (whatever became of the
        // check: an error ends it there), and the target is back now: busy, for that long.
        else if (stall) log.events.push({ after: checkId, inputs: triggerInput(shared, checkId), since: stall.at, probes: 1, failures: 0, outcome: 'recovered', answeredAt: stall.answeredAt ?? Date.now(), lastFailure: stall.at, detail: `the check's own baseline request: ${stall.detail}`, alongside });
        return;
      }
    }
    await log.exclusive(() => confirm(shared, ctx, log, checkId, suspects, timeoutMs, alongside));
  } catch (e) {
    if (!(e instanceof BudgetExceededError)) throw e;
  } finally {
    done();
  }
}

/** Under the lock: probe with back-off until the target answers or the window has passed. */
async function confirm(shared: AuditShared, ctx: CheckContext, log: LivenessLog, checkId: string, suspects: { input: string; at: number }[], timeoutMs: number, alongside: string[]): Promise<void> {
  const open = log.openCrash();
  if (open) {
    // Down already (called by another check's watch): one probe to see whether it is back.
    await reprobe(ctx, open, timeoutMs);
    return;
  }
  const first = await probeAlive(ctx, timeoutMs);
  if (first.alive) return; // it answered while we waited for the lock
  // The silence began at the check's own note, else at the first attempt that went unanswered, else now.
  const since = suspects[0]?.at ?? shared.silentSince ?? Date.now();
  // What the check said it was doing (reportIfDown), then the exact input.
  const inputs = [...suspects.map((x) => x.input), ...triggerInput(shared, checkId)];
  const event: LivenessEvent = { after: checkId, inputs, since, probes: 1, failures: 1, outcome: 'down', lastFailure: Date.now(), detail: first.detail, alongside };
  const windowMs = shared.options.livenessWindowMs;
  for (const wait of BACKOFF) {
    const left = since + windowMs - Date.now();
    if (left <= 0) break;
    await ctx.sleep(Math.min(wait, left));
    const p = await probeAlive(ctx, timeoutMs);
    event.probes++;
    if (p.alive) {
      event.outcome = 'recovered';
      event.answeredAt = Date.now();
      break;
    }
    event.failures++;
    event.lastFailure = Date.now();
    event.detail = p.detail;
  }
  log.events.push(event);
}

/** The evidence sentence both LIVE checks start with. */
export function describeEvent(e: LivenessEvent): string {
  const inputs = e.inputs.length ? ` (input: ${e.inputs.join('; ')})` : '';
  const before = e.after === BASELINE_HANDSHAKE ? ' (the auditor\'s first request, before any check ran)' : '';
  return `After ${e.after}${before}${inputs}`;
}

/** Appended to the LIVE evidence when other checks ran at the same time: the cause is one of them. */
export function alongsideNote(e: LivenessEvent): string {
  const others = e.alongside ?? [];
  return others.length ? ` ${e.after} ran alongside ${others.join(', ')}: the cause may be any of them.` : '';
}

export { seconds as formatSeconds };
