/**
 * Runs the selected checks against one target with per-check deadlines, in this order: the
 * fingerprints that are not isolated; the ordinary checks with bounded concurrency, long observations alongside them
 * (a watch that only listens, the heartbeat's, goes on beside the isolated and passive checks too);
 * the checks that can take a target down (CheckModule.isolated), alone and one at a time, each
 * followed by a liveness probe, so a crash names exactly one check and is not judged as that
 * check's own verdict; the passive checks last.
 * Yields the report object. Stopped early (--max-time, a signal) it still yields the report of
 * everything evaluated so far, marked incomplete.
 */
import { setMaxListeners } from 'node:events';
import { AuditCannotRunError, BaselineFailedError, baselineHint } from './baseline.js';
import { ConnectionBudget } from './budget.js';
import { CheckSkipped, createContext, redactAudit, type AuditShared } from './context.js';
import { parseTarget, resolveOptions, type AuditOptionsInput } from './options.js';
import type { RawHandshakeResult } from './raw/raw-handshake.js';
import { endpointOf } from './raw/target.js';
import { afterCheck, beforeChecks, stillDown } from './liveness.js';
import { isCertificateError, trustedCa } from './raw/trust.js';
import { loadChecks } from './registry.js';
import { selectChecks } from './select.js';
import { MemoryTrafficRecorder } from './traffic.js';
import type { AuditOptions, AuditReport, CheckMeta, CheckModule, CheckResult, Finding, TrafficRecorder } from './types.js';
import { SEVERITIES } from './types.js';
import { toolVersion } from './version.js';

export class TargetUnreachableError extends AuditCannotRunError {}
export class UntrustedCertificateError extends AuditCannotRunError {}
export { AuditCannotRunError, BaselineFailedError };

export interface RunOptions {
  /** Checks to consider (default: every discovered module). */
  checks?: CheckModule[];
  onProgress?: (done: number, total: number, checkId: string) => void;
  /** Traffic recorder (tests read it). */
  traffic?: TrafficRecorder;
  /** Aborting it stops the audit: the report of what was evaluated so far, marked incomplete. */
  signal?: AbortSignal;
  /** Run the checks even when the baseline handshake is refused (single-check tests). */
  allowFailedBaseline?: boolean;
  /**
   * Runs after each active check has finished, before the next one takes its slot (a
   * post-check probe such as "does the target still answer?"). `signal` is the audit's stop.
   */
  afterCheck?: (meta: CheckMeta, signal: AbortSignal) => Promise<void>;
}

export interface RunAuditResult {
  report: AuditReport;
  options: AuditOptions;
}

class AuditStopped extends Error {}

/** The verdict of an isolated check after which the target was found down. */
export const NOT_JUDGED_CRASH = 'not judged: the target went down during this check (see WSG-LIVE-01)';

/** Why a check whose probes were still throttled after the retries is not judged. */
export function throttledReason(statuses: number[]): string {
  return statuses.includes(429)
    ? 'target rate-limited the auditor (429); rerun slower or allowlist the auditor'
    : 'target answered the auditor 503 (unavailable or throttling); rerun slower or allowlist the auditor';
}

/** The checks that can take a target down, in the order they run: safe ones first, then by phase. */
export function isolatedOrder(mods: CheckModule[]): CheckModule[] {
  const rank = (m: CheckModule) => (m.meta.mode === 'intrusive' ? 1000 : 0) + (m.phase ?? 0);
  return [...mods].sort((a, b) => rank(a) - rank(b));
}

export function bySeverityDesc(a: Finding, b: Finding): number {
  return SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || a.checkId.localeCompare(b.checkId);
}

export async function runAudit(given: URL, input: AuditOptionsInput = {}, run: RunOptions = {}): Promise<RunAuditResult> {
  const options = resolveOptions(given, input);
  // A Socket.IO target named by its path alone (the API, not the CLI) still needs EIO=4 and the
  // websocket transport: without them Engine.IO answers another protocol version.
  const target = options.protocol === 'socket.io' ? parseTarget(given.href, 'socket.io', options.engineioPath) : given;
  const startedAt = new Date();
  const all = run.checks ?? (await loadChecks());
  const selected = selectChecks(all, options);

  // One stop for the whole audit: the operator's signal or --max-time.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const halt = (reason: string) => { if (!stop.signal.aborted) stop.abort(new AuditStopped(reason)); };
  const onExternal = () => halt(String((run.signal?.reason as Error | undefined)?.message ?? run.signal?.reason ?? 'stopped'));
  if (run.signal?.aborted) onExternal();
  run.signal?.addEventListener('abort', onExternal, { once: true });
  const maxTimer = options.maxTimeMs ? setTimeout(() => halt(`--max-time ${options.maxTimeMs! / 1000} s reached`), options.maxTimeMs) : undefined;
  const stopReason = () => (stop.signal.reason as Error | undefined)?.message ?? 'stopped';

  const shared: AuditShared = {
    target, endpoint: endpointOf(target), options,
    budget: new ConnectionBudget(options.connectionBudget),
    traffic: run.traffic ?? new MemoryTrafficRecorder(),
    memo: new Map(),
    throttledUntil: 0,
  };
  const watchLiveness = selected.some((m) => m.meta.area === 'LIVE');
  const results = new Map<string, CheckResult>();
  /** When each active check ran, to tell which ones ran against a target that was not answering. */
  const ran = new Map<string, { start: number; end: number }>();
  /** Active checks running now, with their start: a crash after one of them may be any of them. */
  const running = new Map<string, number>();
  /** The other active checks that ran at some time between `start` and now. */
  const alongside = (id: string, start: number): string[] => [
    ...[...running.keys()].filter((o) => o !== id),
    ...[...ran].filter(([o, w]) => o !== id && w.end > start && !passive.has(o)).map(([o]) => o),
  ].filter((o, i, all) => all.indexOf(o) === i && !listening.has(o)).sort();
  const findings: Finding[] = [];
  let done = 0;

  /**
   * A pass (or an error) earned while the target was not answering (WSG-LIVE-01/02 saw it down)
   * proves nothing: such a check is reported skipped with the reason, never pass (JUnit and SARIF
   * readers included).
   */
  const passive = new Set(selected.filter((m) => m.meta.passive).map((m) => m.meta.id));
  /** Background checks that send nothing a server could fall over once connected (CheckModule.inert): never a crash's cause. */
  const listening = new Set(selected.filter((m) => m.background && m.inert).map((m) => m.meta.id));
  const unjudged = (r: CheckResult): CheckResult => {
    const when = ran.get(r.id);
    // A finding stands (it was seen); an error, or a skip after trying the target, while it was down
    // is the silence, not the check's own verdict. Passive checks that only read recorded traffic are
    // judged on it; those that also sent their own requests (FINGER-02/03) sent them into the silence.
    const tried = (shared.attempts?.get(r.id) ?? 0) > 0;
    if (r.status === 'fail' || (r.status === 'skipped' && !tried) || !when || (passive.has(r.id) && !tried) || r.reason === NOT_JUDGED_CRASH) return r;
    // The silence is first seen after the check that caused it; a check running beside that one (the
    // heartbeat watch) may have seen the crash earlier, as its socket dropping: from that check's start.
    const down = (shared.liveness?.events ?? []).find((e) => when.end >= Math.min(e.since, ran.get(e.after)?.start ?? e.since) && when.start <= (e.answeredAt ?? Infinity));
    const said = r.status !== 'pass' && r.reason ? `; it said: ${r.reason}` : '';
    return down ? { ...r, status: 'skipped', reason: `not judged: the target was not answering while this check ran (down after ${down.after}, see WSG-LIVE-01/02${said})` } : r;
  };

  const buildReport = (): AuditReport => redactAudit(shared, {
    tool: 'wsguard',
    version: toolVersion(),
    target: target.href,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    checks: selected.map((m) => unjudged(results.get(m.meta.id) ?? { id: m.meta.id, status: 'skipped', durationMs: 0, reason: stop.signal.aborted ? `not run: ${stopReason()}` : 'not run' })),
    findings: findings.sort(bySeverityDesc),
    ...(stop.signal.aborted ? { incomplete: { reason: stopReason() } } : {}),
  });

  try {
    // TLS checks need no WebSocket upgrade: a TLS-only audit runs whatever the baseline's answer.
    const tlsOnly = selected.length > 0 && selected.every((m) => m.meta.area === 'TLS');
    if (!(await checkBaseline(shared, stop.signal, run.allowFailedBaseline ?? tlsOnly))) return { report: buildReport(), options };

    async function runOne(mod: CheckModule): Promise<void> {
      const { meta } = mod;
      if (meta.mode === 'intrusive' && !options.intrusive) {
        results.set(meta.id, { id: meta.id, status: 'skipped', durationMs: 0, reason: 'intrusive check: enable with --intrusive' });
        return;
      }
      if (stop.signal.aborted) return; // reported as "not run" with the stop reason
      // A target that stopped answering (and still does not) judges nothing: say so instead of running.
      const down = watchLiveness && !meta.passive ? await stillDown(shared, stop.signal) : undefined;
      if (down) {
        results.set(meta.id, { id: meta.id, status: 'skipped', durationMs: 0, reason: `not judged: the target stopped answering after ${down.after} and has not answered since (see WSG-LIVE-01)` });
        return;
      }
      if (stop.signal.aborted) return;
      const t0 = Date.now();
      running.set(meta.id, t0);
      const deadline = Math.max(options.timeoutMs, mod.timeoutMs?.(options) ?? 0);
      const abort = new AbortController();
      setMaxListeners(0, abort.signal); // every open socket of the check listens for the deadline
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; abort.abort(new Error(`timed out after ${deadline} ms`)); }, deadline);
      const onStop = () => abort.abort(stop.signal.reason);
      stop.signal.addEventListener('abort', onStop, { once: true });
      const handle = createContext(shared, meta.id, abort.signal);
      let result: CheckResult;
      try {
        await Promise.race([
          mod.run(handle.ctx),
          new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason as Error), { once: true })),
        ]);
        // A check that returns when its signal aborts still ran out of time (or was stopped).
        if (timedOut || abort.signal.aborted) throw abort.signal.reason as Error;
        const pass = handle.findings.length === 0;
        result = { id: meta.id, status: pass ? 'pass' : 'fail', durationMs: Date.now() - t0, ...(pass && handle.observations.length ? { reason: handle.observations.join('; ') } : {}) };
      } catch (e) {
        const status = handle.findings.length ? 'fail' : e instanceof CheckSkipped || e instanceof AuditStopped ? 'skipped' : 'error';
        result = { id: meta.id, status, durationMs: Date.now() - t0, reason: e instanceof AuditStopped ? `interrupted: ${e.message}` : (e as Error).message };
      } finally {
        clearTimeout(timer);
        stop.signal.removeEventListener('abort', onStop);
        abort.abort(new Error('check finished'));
        handle.dispose();
        running.delete(meta.id);
      }
      // Probes still refused with 429/503 after the retries answered nothing the check asked.
      if (handle.throttled.length && (result.status === 'pass' || result.status === 'skipped') && !result.reason?.startsWith('interrupted:')) {
        const why = throttledReason(handle.throttled);
        result = { ...result, status: 'skipped', reason: result.status === 'skipped' && result.reason ? `${why} (${result.reason})` : why };
      }
      results.set(meta.id, result);
      ran.set(meta.id, { start: t0, end: Date.now() });
      // Post-check hook (e.g. a liveness probe), only for checks that really ran.
      if (run.afterCheck && !meta.passive && !stop.signal.aborted) await run.afterCheck(meta, stop.signal);
      // Liveness watch (liveness.ts): did this check take the target down? Reported by WSG-LIVE-01/02.
      // Not after a watch that only listens: it sent nothing that could, and it often ends first
      // because the crash closed its socket; its probe then took the verdict (and the blame) from
      // the isolated check that caused the crash and probes after itself.
      if (watchLiveness && meta.area !== 'LIVE' && !listening.has(meta.id) && !stop.signal.aborted) await afterCheck(shared, meta.id, alongside(meta.id, t0));
      // A check that ran alone and took the target down judged a dying server: what it saw (a
      // dropped connection read as "no pong") is the crash, which WSG-LIVE-01 reports with the
      // check and input. Its own findings and verdict are dropped.
      if (mod.isolated && shared.liveness?.events.some((e) => e.after === meta.id && e.outcome === 'down')) {
        results.set(meta.id, { id: meta.id, status: 'skipped', durationMs: result.durationMs, reason: NOT_JUDGED_CRASH });
        return;
      }
      for (const f of handle.findings) {
        findings.push({
          checkId: meta.id,
          title: f.title ?? meta.title,
          severity: f.severity ?? meta.severity,
          confidence: f.confidence,
          evidence: f.evidence,
          remediation: f.remediation ?? meta.remediation,
          references: meta.references,
        });
      }
    }

    const step = async (mod: CheckModule) => {
      await runOne(mod);
      run.onProgress?.(++done, selected.length, mod.meta.id);
    };

    /** A check's early probes (CheckModule.prepare): bounded by its deadline; it reports nothing now. */
    async function prepareOne(mod: CheckModule): Promise<void> {
      if (!mod.prepare || (mod.meta.mode === 'intrusive' && !options.intrusive) || stop.signal.aborted) return;
      if (watchLiveness && (await stillDown(shared, stop.signal))) return; // nothing to read from a dead target
      const abort = new AbortController();
      setMaxListeners(0, abort.signal);
      const timer = setTimeout(() => abort.abort(new Error('prepare timed out')), options.timeoutMs);
      const onStop = () => abort.abort(stop.signal.reason);
      stop.signal.addEventListener('abort', onStop, { once: true });
      const handle = createContext(shared, mod.meta.id, abort.signal);
      const t0 = Date.now();
      running.set(mod.meta.id, t0);
      try {
        await Promise.race([
          mod.prepare(handle.ctx),
          new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason as Error), { once: true })),
        ]);
      } catch {
        // run() probes again (the same memoised probes) and reports what went wrong.
      } finally {
        clearTimeout(timer);
        stop.signal.removeEventListener('abort', onStop);
        abort.abort(new Error('prepare finished'));
        handle.dispose();
        running.delete(mod.meta.id);
      }
      if (watchLiveness && !stop.signal.aborted) await afterCheck(shared, mod.meta.id, alongside(mod.meta.id, t0));
    }

    async function pool(mods: CheckModule[], fn: (mod: CheckModule) => Promise<void> = step): Promise<void> {
      const queue = [...mods];
      const worker = async () => {
        for (let mod = queue.shift(); mod; mod = queue.shift()) await fn(mod);
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, mods.length)) }, worker));
    }

    if (watchLiveness) await beforeChecks(shared);
    // A check that logs the main session out waits for every check that still needs it.
    const last = selected.filter((m) => !m.meta.passive && m.endsSession?.(options));
    const active = selected.filter((m) => !m.meta.passive && !last.includes(m));
    // Checks that can take the target down run last, alone: every other check is judged first,
    // and a crash names exactly one check.
    const isolated = active.filter((m) => m.isolated);
    // Fingerprints that send only ordinary handshakes first, before anything can disturb the
    // target (FINGER-01 is isolated: its Sec-WebSocket-Version: 1337 handshake crashes some servers).
    const fingerprints = active.filter((m) => m.meta.area === 'FINGER' && !isolated.includes(m));
    await pool(fingerprints);
    const ordinary = active.filter((m) => !isolated.includes(m) && !fingerprints.includes(m));
    // Long observations mostly wait: they start at once and run beside the pool, and so do the
    // early probes of checks that judge later (FINGER-02/03: a polling GET may wait out its
    // timeout): all of them before the checks that can take the target down.
    const background = ordinary.filter((m) => m.background && (m.phase ?? 0) === 0);
    // A watch that only listens (the heartbeat watch) goes on beside the isolated and passive
    // checks: the longest window no longer adds their time to the audit's (SAFE_AUDIT_BUDGET_MS).
    const listeners = background.filter((m) => listening.has(m.meta.id));
    const listened = Promise.all(listeners.map(step));
    const watching = Promise.all([...background.filter((m) => !listeners.includes(m)).map(step), ...selected.filter((m) => m.prepare).map(prepareOne)]);
    const rest = ordinary.filter((m) => !background.includes(m));
    for (const phase of [...new Set(rest.map((m) => m.phase ?? 0))].sort((a, b) => a - b)) {
      await pool(rest.filter((m) => (m.phase ?? 0) === phase));
    }
    await watching;
    for (const mod of isolatedOrder(isolated)) await step(mod);
    // A logout of the main session would close the listening socket: it watches to the end first.
    if (last.some((m) => m.meta.mode === 'safe' || options.intrusive)) await listened;
    for (const mod of last) await step(mod);
    // Passive checks read recorded traffic only: they run even after a stop, over what was seen.
    await runPassive(selected.filter((m) => m.meta.passive && m.meta.area !== 'LIVE'));
    await listened;
    // The liveness reports last: every other check (passive ones probe too) has been watched.
    await runPassive(selected.filter((m) => m.meta.area === 'LIVE'));
    return { report: buildReport(), options };

    async function runPassive(mods: CheckModule[]): Promise<void> {
      if (!stop.signal.aborted) return pool(mods);
      // Stopped: the in-memory checks still run, each bounded by its own deadline.
      for (const mod of mods) await runPassiveAfterStop(mod);
    }

    async function runPassiveAfterStop(mod: CheckModule): Promise<void> {
      const handle = createContext(shared, mod.meta.id, AbortSignal.timeout(options.timeoutMs));
      const t0 = Date.now();
      let result: CheckResult;
      try {
        await mod.run(handle.ctx);
        result = { id: mod.meta.id, status: handle.findings.length ? 'fail' : 'pass', durationMs: Date.now() - t0, reason: `over the traffic seen before the stop (${stopReason()})` };
      } catch (e) {
        result = { id: mod.meta.id, status: handle.findings.length ? 'fail' : e instanceof CheckSkipped ? 'skipped' : 'error', durationMs: Date.now() - t0, reason: (e as Error).message };
      } finally {
        handle.dispose();
      }
      for (const f of handle.findings) {
        findings.push({ checkId: mod.meta.id, title: f.title ?? mod.meta.title, severity: f.severity ?? mod.meta.severity, confidence: f.confidence, evidence: f.evidence, remediation: f.remediation ?? mod.meta.remediation, references: mod.meta.references });
      }
      results.set(mod.meta.id, result);
    }
  } finally {
    clearTimeout(maxTimer);
    run.signal?.removeEventListener('abort', onExternal);
  }
}

/**
 * The baseline handshake, with the operator's credentials and Origin, as a browser sends it;
 * memoised for every check. On wss:// the certificate is verified here (Node's store, which
 * holds NODE_EXTRA_CA_CERTS, plus --ca) unless --insecure. False when the audit was stopped.
 */
async function checkBaseline(shared: AuditShared, signal: AbortSignal, allowFailed: boolean): Promise<boolean> {
  const { options, target } = shared;
  const handle = createContext(shared, 'baseline', signal);
  const verify = shared.endpoint.tls && !options.insecure;
  const p = handle.ctx.handshake(verify ? { raw: { connect: { rejectUnauthorized: true, tlsOptions: { ca: trustedCa(options.ca) } } } } : {});
  shared.memo.set('baseline', p);
  let r: RawHandshakeResult;
  try {
    r = await p;
  } catch (e) {
    if (signal.aborted) return false;
    const msg = (e as Error).message;
    if (isCertificateError(e)) {
      throw new UntrustedCertificateError(`certificate of ${target.host} not trusted (${msg}): give --ca FILE (or NODE_EXTRA_CA_CERTS) for a private CA, or --insecure to audit anyway (WSG-TLS-03 then reports it)`);
    }
    throw new TargetUnreachableError(`target ${target.href} unreachable: ${msg}`);
  } finally {
    handle.dispose();
  }
  if (!r.upgraded && !allowFailed) throw new BaselineFailedError(baselineHint(r, options));
  return !signal.aborted;
}
