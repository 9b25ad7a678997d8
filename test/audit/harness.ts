/** Test helper: run one check (by id) against a target and return its result and findings. */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { CHECKS_DIR } from '../../src/audit/registry.js';
import { runAudit } from '../../src/audit/runner.js';
import type { AuditOptionsInput } from '../../src/audit/options.js';
import type { CheckModule, CheckResult, Finding } from '../../src/audit/types.js';
import { MemoryTrafficRecorder } from '../../src/audit/traffic.js';

export async function loadCheck(id: string): Promise<CheckModule> {
  const area = id.split('-')[1]?.toLowerCase() ?? '';
  return (await import(pathToFileURL(join(CHECKS_DIR, area, `${id}.ts`)).href)) as CheckModule;
}

export interface CheckRun {
  result: CheckResult;
  findings: Finding[];
  traffic: MemoryTrafficRecorder;
}

/** `also`: more checks to run with it (e.g. WSG-LIVE-01, which reports a crash the check caused). */
export async function runCheck(id: string, target: string, options: AuditOptionsInput = {}, also: string[] = []): Promise<CheckRun> {
  const mod = await loadCheck(id);
  const traffic = new MemoryTrafficRecorder();
  const checks = [mod, ...(await Promise.all(also.map(loadCheck)))];
  const { report } = await runAudit(new URL(target), { intrusive: true, insecure: true, requestTimeoutMs: 3000, canaryWaitMs: 800, ...options }, { checks, traffic, allowFailedBaseline: true });
  const result = report.checks[0];
  if (!result) throw new Error(`${id} did not run`);
  return { result, findings: report.findings, traffic };
}

/** Default credentials for a bearer-mode weak server: allowed Origin + token in the header. */
export const ALLOWED = 'https://app.example.com';
