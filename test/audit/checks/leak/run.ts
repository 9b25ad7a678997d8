/** LEAK tests run active checks and the passive one in one audit, as the runner orders them. */
import { runAudit } from '../../../../src/audit/runner.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';
import type { AuditReport } from '../../../../src/audit/types.js';
import { loadCheck, track } from '../../harness.js';

export { track };

export async function runChecks(ids: string[], target: string, options: AuditOptionsInput = {}): Promise<AuditReport> {
  const checks = await Promise.all(ids.map((id) => loadCheck(id)));
  // Check-level tests: a refused baseline must not stop the run (the checks' own skips are under test).
  const { report } = await runAudit(new URL(target), { requestTimeoutMs: 3000, canaryWaitMs: 800, ...options }, { checks, allowFailedBaseline: true });
  return report;
}

export function status(report: AuditReport, id: string): string | undefined {
  return report.checks.find((c) => c.id === id)?.status;
}
