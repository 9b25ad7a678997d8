/** Shared by the PROTO/FINGER/LEAK tests: run a check against a lax-server with some switches. */
import { startLaxServer, type LaxServerOptions } from '../../../fixtures/lax-server.js';
import { runCheck, track, type CheckRun } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

export { track };

export async function againstLax(id: string, lax: LaxServerOptions, options: AuditOptionsInput = {}, also: string[] = []): Promise<CheckRun> {
  const s = track(await startLaxServer(lax));
  return runCheck(id, s.url, options, also);
}
