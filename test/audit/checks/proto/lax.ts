/** Shared by the PROTO/FINGER/LEAK tests: run a check against a lax-server with some switches. */
import { after } from 'node:test';
import { startLaxServer, type LaxServerOptions } from '../../../fixtures/lax-server.js';
import { runCheck, type CheckRun } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

export function track<T extends { close(): Promise<void> }>(s: T): T {
  servers.push(s);
  return s;
}

export async function againstLax(id: string, lax: LaxServerOptions, options: AuditOptionsInput = {}, also: string[] = []): Promise<CheckRun> {
  const s = track(await startLaxServer(lax));
  return runCheck(id, s.url, options, also);
}
