/** Shared by the AUTH check tests (one file per check id). */
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { auditWeak, type Weak } from '../../harness.js';
import type { AuditOptionsInput } from '../../../../src/audit/options.js';

export const CANARY = { canary: '{"type":"whoami"}', canaryExpect: 'protected-data-of-' };

export type { Weak };

/** With the shared CANARY; `extra` is merged over it. */
export function audit(id: string, weak: WeakServerOptions, extra: (s: Weak, token: string) => AuditOptionsInput | Promise<AuditOptionsInput> = () => ({})) {
  return auditWeak(id, weak, async (s, token) => ({ ...CANARY, ...(await extra(s, token)) }));
}
