/** Shared by the ORIGIN check tests (one file per check id). */
import { after } from 'node:test';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck } from '../../harness.js';

export const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

export async function audit(id: string, weak: WeakServerOptions, extra: Record<string, unknown> = {}) {
  const s = await startWeakServer(weak);
  servers.push(s);
  const token = await s.mintToken('alice');
  return runCheck(id, s.url, { allowedOrigins: [ALLOWED], credentials: { token }, ...extra });
}
