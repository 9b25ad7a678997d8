/**
 * Runs the selected checks against one target with bounded concurrency and per-check
 * deadlines, passive checks last, and yields the DESIGN.md report object.
 */
import { setMaxListeners } from 'node:events';
import { ConnectionBudget } from './budget.js';
import { CheckSkipped, createContext, type AuditShared } from './context.js';
import { resolveOptions, type AuditOptionsInput } from './options.js';
import { endpointOf } from './raw/target.js';
import { rawHandshake } from './raw/raw-handshake.js';
import { afterCheck, beforeChecks } from './liveness.js';
import { loadChecks } from './registry.js';
import { selectChecks } from './select.js';
import { MemoryTrafficRecorder } from './traffic.js';
import type { AuditOptions, AuditReport, CheckModule, CheckResult, Finding, TrafficRecorder } from './types.js';
import { SEVERITIES } from './types.js';
import { toolVersion } from './version.js';

export class TargetUnreachableError extends Error {}

export interface RunOptions {
  /** Checks to consider (default: every discovered module). */
  checks?: CheckModule[];
  onProgress?: (done: number, total: number, checkId: string) => void;
  /** Traffic recorder (tests read it). */
  traffic?: TrafficRecorder;
}

export interface RunAuditResult {
  report: AuditReport;
  options: AuditOptions;
}

/** Fails fast with one line when nothing answers HTTP at the target. */
async function preflight(target: URL, options: AuditOptions): Promise<void> {
  try {
    await rawHandshake(endpointOf(target), { timeoutMs: options.requestTimeoutMs, request: { origin: options.allowedOrigins[0] ?? null } });
  } catch (e) {
    throw new TargetUnreachableError(`target ${target.href} unreachable: ${(e as Error).message}`);
  }
}

export function bySeverityDesc(a: Finding, b: Finding): number {
  return SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || a.checkId.localeCompare(b.checkId);
}

export async function runAudit(target: URL, input: AuditOptionsInput = {}, run: RunOptions = {}): Promise<RunAuditResult> {
  const options = resolveOptions(target, input);
  const startedAt = new Date();
  const all = run.checks ?? (await loadChecks());
  const selected = selectChecks(all, options);
  await preflight(target, options);

  const shared: AuditShared = {
    target, endpoint: endpointOf(target), options,
    budget: new ConnectionBudget(options.connectionBudget),
    traffic: run.traffic ?? new MemoryTrafficRecorder(),
    memo: new Map(),
    throttledUntil: 0,
  };
  const results = new Map<string, CheckResult>();
  const findings: Finding[] = [];
  let done = 0;

  async function runOne(mod: CheckModule): Promise<void> {
    const { meta } = mod;
    const t0 = Date.now();
    if (meta.mode === 'intrusive' && !options.intrusive) {
      results.set(meta.id, { id: meta.id, status: 'skipped', durationMs: 0, reason: 'intrusive check: enable with --intrusive' });
      return;
    }
    const deadline = Math.max(options.timeoutMs, mod.timeoutMs?.(options) ?? 0);
    const abort = new AbortController();
    setMaxListeners(0, abort.signal); // every open socket of the check listens for the deadline
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; abort.abort(new Error(`timed out after ${deadline} ms`)); }, deadline);
    const handle = createContext(shared, meta.id, abort.signal);
    let result: CheckResult;
    try {
      await Promise.race([
        mod.run(handle.ctx),
        new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason as Error), { once: true })),
      ]);
      // A check that returns when its signal aborts still ran out of time.
      if (timedOut) throw abort.signal.reason as Error;
      result = { id: meta.id, status: handle.findings.length ? 'fail' : 'pass', durationMs: Date.now() - t0 };
    } catch (e) {
      if (e instanceof CheckSkipped) result = { id: meta.id, status: handle.findings.length ? 'fail' : 'skipped', durationMs: Date.now() - t0, reason: e.message };
      else result = { id: meta.id, status: handle.findings.length ? 'fail' : 'error', durationMs: Date.now() - t0, reason: (e as Error).message };
    } finally {
      clearTimeout(timer);
      abort.abort(new Error('check finished'));
      handle.dispose();
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
    results.set(meta.id, result);
    // Liveness watch (liveness.ts): did this check take the target down? Reported by WSG-LIVE-01/02.
    if (watchLiveness && meta.area !== 'LIVE') await afterCheck(shared, meta.id);
  }

  async function pool(mods: CheckModule[]): Promise<void> {
    const queue = [...mods];
    const worker = async () => {
      for (let mod = queue.shift(); mod; mod = queue.shift()) {
        await runOne(mod);
        run.onProgress?.(++done, selected.length, mod.meta.id);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, mods.length)) }, worker));
  }

  const watchLiveness = selected.some((m) => m.meta.area === 'LIVE');
  if (watchLiveness) await beforeChecks(shared);
  const active = selected.filter((m) => !m.meta.passive);
  for (const phase of [...new Set(active.map((m) => m.phase ?? 0))].sort((a, b) => a - b)) {
    await pool(active.filter((m) => (m.phase ?? 0) === phase));
  }
  await pool(selected.filter((m) => m.meta.passive && m.meta.area !== 'LIVE'));
  // The liveness reports last: every other check (passive ones probe too) has been watched.
  await pool(selected.filter((m) => m.meta.area === 'LIVE'));

  const report: AuditReport = {
    tool: 'wsguard',
    version: toolVersion(),
    target: target.href,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    checks: selected.map((m) => results.get(m.meta.id) ?? { id: m.meta.id, status: 'error', durationMs: 0, reason: 'not run' }),
    findings: findings.sort(bySeverityDesc),
  };
  return { report, options };
}
