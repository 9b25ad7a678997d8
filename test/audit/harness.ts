/**
 * Test helper: run one check (by id) against a target and return its result and findings; auditWeak
 * is the usual check test (a weak-server fixture, the operator as alice) in one call.
 */
import { after } from 'node:test';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { CHECKS_DIR } from '../../src/audit/registry.js';
import { runAudit } from '../../src/audit/runner.js';
import type { AuditOptionsInput } from '../../src/audit/options.js';
import type { CheckModule, CheckResult, Finding } from '../../src/audit/types.js';
import { MemoryTrafficRecorder } from '../../src/audit/traffic.js';
import { startWeakServer, type WeakServerOptions } from '../fixtures/weak-server.js';

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

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

/** Closes `s` when the test file ends. */
export function track<T extends { close(): Promise<void> }>(s: T): T {
  servers.push(s);
  return s;
}

export type Weak = Awaited<ReturnType<typeof startWeakServer>>;
type Extra = AuditOptionsInput | ((s: Weak, token: string) => AuditOptionsInput | Promise<AuditOptionsInput>);

/**
 * A weak-server fixture with `weak`'s switches (closed when the file ends), audited by check `id` with
 * the operator's usual credentials: alice's bearer token and the allowed Origin. `extra` (options, or
 * a function of the server and alice's token) is merged over them; `also` as for runCheck.
 */
export async function auditWeak(id: string, weak: WeakServerOptions, extra: Extra = {}, also: string[] = []): Promise<CheckRun & { server: Weak }> {
  const s = track(await startWeakServer(weak));
  const token = await s.mintToken('alice');
  const more = typeof extra === 'function' ? await extra(s, token) : extra;
  return { ...(await runCheck(id, s.url, { allowedOrigins: [ALLOWED], credentials: { token }, ...more }, also)), server: s };
}
