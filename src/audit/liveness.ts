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
    const r = await ctx.handshake({ acceptThrottle: true, raw: { timeoutMs } });
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

/** Runner hook: the baseline as it was before any check ran (what "still answers" is measured against). */
export async function beforeChecks(shared: AuditShared): Promise<void> {
  const { ctx, done } = watchContext(shared);
  try {
    await ctx.baselineOk();
  } finally {
    done();
  }
}

/** A context for the watch's own probes (recorded under WSG-LIVE-01), closed by `done`. */
function watchContext(shared: AuditShared): { ctx: CheckContext; done(): void } {
  const abort = new AbortController();
  const handle = createContext(shared, 'WSG-LIVE-01', abort.signal);
  return { ctx: handle.ctx, done: () => { abort.abort(); handle.dispose(); } };
}

/** Did `checkId` reach the target at all (anything recorded under its id)? */
function sentAnything(shared: AuditShared, checkId: string): boolean {
  return shared.traffic.entries().some((e) => e.checkId === checkId);
}

/** The last thing `checkId` sent (recorded frames), as the input when the check noted none. */
function lastSent(shared: AuditShared, checkId: string): string[] {
  const entries = shared.traffic.entries();
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e?.checkId === checkId && e.direction === 'out') {
      const text = e.kind === 'close' ? `close frame ${e.closeCode ?? ''}`.trim() : e.text.length > 80 ? `${e.text.slice(0, 80)}… (${e.text.length} chars)` : e.text;
      return [`its last frame sent: ${JSON.stringify(text)}`];
    }
  }
  return [];
}

/**
 * Runner hook: after `checkId` finished, is the target still there? The quick probe runs
 * alongside the other checks; only a confirmation (back-off) takes the watch's lock, so
 * concurrent checks wait for one verdict instead of piling on probes.
 */
export async function afterCheck(shared: AuditShared, checkId: string): Promise<void> {
  const log = livenessLog(shared);
  const suspects = log.takeSuspects(checkId);
  // A check that reached nothing cannot have taken the target down.
  if (!suspects.length && !log.openCrash() && !sentAnything(shared, checkId)) return;
  const timeoutMs = Math.min(5000, shared.options.requestTimeoutMs);
  const { ctx, done } = watchContext(shared);
  try {
    // Without a working baseline there is nothing to compare with.
    if (!(await ctx.baselineOk())) return;
    if (!log.openCrash()) {
      const quick = await probeAlive(ctx, timeoutMs);
      if (quick.alive) {
        // The check saw it down, and it answers now: it came back on its own.
        const earliest = suspects[0];
        if (earliest) log.events.push({ after: checkId, inputs: suspects.map((x) => x.input), since: earliest.at, probes: 1, failures: 0, outcome: 'recovered', answeredAt: Date.now(), lastFailure: earliest.at, detail: 'the check\'s own probe got no answer' });
        return;
      }
    }
    await log.exclusive(() => confirm(shared, ctx, log, checkId, suspects, timeoutMs));
  } catch (e) {
    if (!(e instanceof BudgetExceededError)) throw e;
  } finally {
    done();
  }
}

/** Under the lock: probe with back-off until the target answers or the window has passed. */
async function confirm(shared: AuditShared, ctx: CheckContext, log: LivenessLog, checkId: string, suspects: { input: string; at: number }[], timeoutMs: number): Promise<void> {
  const open = log.openCrash();
  if (open) {
    // Down already (called by another check's watch): one probe to see whether it is back.
    const p = await probeAlive(ctx, timeoutMs);
    if (p.alive) open.answeredAt = Date.now();
    return;
  }
  const first = await probeAlive(ctx, timeoutMs);
  if (first.alive) return; // it answered while we waited for the lock
  const since = suspects[0]?.at ?? Date.now();
  const inputs = suspects.length ? suspects.map((x) => x.input) : lastSent(shared, checkId);
  const event: LivenessEvent = { after: checkId, inputs, since, probes: 1, failures: 1, outcome: 'down', lastFailure: Date.now(), detail: first.detail };
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
  return `After ${e.after}${inputs}`;
}

export { seconds as formatSeconds };
