/** Shared by the SESSION check tests (one file per check id). */
import { after } from 'node:test';
import { startWeakServer, type WeakServerOptions } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

export const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

export const CANARY = { canary: '{"type":"whoami"}', canaryExpect: 'protected-data-of-' };
export type Weak = Awaited<ReturnType<typeof startWeakServer>>;

export async function audit(id: string, weak: WeakServerOptions, extra: (s: Weak, token: string) => Promise<AuditOptionsInput> | AuditOptionsInput = () => ({})) {
  const s = await startWeakServer(weak);
  servers.push(s);
  const token = await s.mintToken('alice');
  return runCheck(id, s.url, { allowedOrigins: [ALLOWED], credentials: { token }, ...CANARY, ...(await extra(s, token)) });
}

export function logoutCmd(httpBase: string, token: string): string {
  const js = `fetch('${httpBase}/logout',{method:'POST',headers:{authorization:'Bearer ${token}'}}).then(r=>process.exit(r.ok?0:1))`;
  return `${JSON.stringify(process.execPath)} -e ${JSON.stringify(js)}`;
}
