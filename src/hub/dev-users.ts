/** Demo identities for dev mode (no secret configured): the page lets you pick one. */
import type { Permissions } from '../auth/types.js';

export interface DemoUser {
  readonly sub: string;
  readonly description: string;
  readonly perms: Permissions;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { sub: 'alice', description: 'Acme editor: reads and writes files:acme and below', perms: { subscribe: ['files:acme', 'files:acme/*'], publish: ['files:acme', 'files:acme/*'] } },
  { sub: 'bob', description: 'Globex editor: reads and writes files:globex and below', perms: { subscribe: ['files:globex', 'files:globex/*'], publish: ['files:globex', 'files:globex/*'] } },
  { sub: 'carol', description: 'Auditor: reads both tenants, publishes nothing', perms: { subscribe: ['files:acme', 'files:acme/*', 'files:globex', 'files:globex/*'], publish: [] } },
];
