/** Shared by the SESSION check tests (one file per check id). */
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak, type Weak } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

export const CANARY = { canary: '{"type":"whoami"}', canaryExpect: 'protected-data-of-' };
export type { Weak };

/** With the shared CANARY; `extra` is merged over it. */
export function audit(id: string, weak: WeakServerOptions, extra: (s: Weak, token: string) => Promise<AuditOptionsInput> | AuditOptionsInput = () => ({})) {
  return auditWeak(id, weak, async (s, token) => ({ ...CANARY, ...(await extra(s, token)) }));
}

export function logoutCmd(httpBase: string, token: string): string {
  const js = `fetch('${httpBase}/logout',{method:'POST',headers:{authorization:'Bearer ${token}'}}).then(r=>process.exit(r.ok?0:1))`;
  return `${JSON.stringify(process.execPath)} -e ${JSON.stringify(js)}`;
}
