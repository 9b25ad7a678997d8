/** Stage 'schema': the type must be registered, and its payload must pass the type's strict zod schema. */
import { fieldPath } from '../../protocol/index.js';
import type { Route } from '../types.js';
import type { Enveloped, Routed, Stage } from './types.js';

export function schemaStage(routes: ReadonlyMap<string, Route>): Stage<Enveloped, Routed> {
  return {
    name: 'schema',
    ahead: 'check',
    run: (m) => {
      const route = routes.get(m.envelope.type);
      if (!route) return { error: 'unknown_type', violation: 'unknown_type' };
      m.route = route;
      const parsed = route.schema.safeParse(m.envelope.payload ?? {});
      if (!parsed.success) return { error: 'invalid_message', violation: 'invalid_payload', field: fieldPath(route.schema, parsed.error.issues, 'payload') };
      m.payload = parsed.data;
      return undefined;
    },
  };
}
