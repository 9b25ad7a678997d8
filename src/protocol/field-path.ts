/**
 * The path, in the schema, of the field that failed validation: `invalid_message` answers name it
 * (`payload.sha256`) so a user can fix the message. Only names the schema itself declares are
 * shown: a key that came from the input (a record key, an unknown key) is written `*`, and values
 * never appear, so the answer still repeats no input.
 */
import type { z } from 'zod';

interface Def {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  element?: unknown;
  in?: unknown;
}

const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/** Steps through wrappers (optional, default, nullable, readonly, pipe...) to the schema that holds fields. */
function unwrap(schema: unknown): unknown {
  for (let i = 0; i < 16; i++) {
    const def = defOf(schema);
    if (!def) return undefined;
    if (def.innerType !== undefined) schema = def.innerType;
    else if (def.type === 'pipe') schema = def.in;
    else return schema;
  }
  return undefined;
}

const MAX_SEGMENTS = 16;

/** `root.a.b.0.c` for the first issue; a segment the schema does not declare is `*`. */
export function fieldPath(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], root: string): string {
  const issue = issues[0];
  if (!issue) return root;
  const out = root === '' ? [] : [root];
  let node: unknown = schema;
  for (const seg of issue.path.slice(0, MAX_SEGMENTS)) {
    const def = defOf(unwrap(node));
    if (typeof seg === 'number' && def?.type === 'array') {
      out.push(String(seg));
      node = def.element;
    } else if (typeof seg === 'string' && def?.type === 'object' && def.shape && Object.hasOwn(def.shape, seg)) {
      out.push(seg);
      node = def.shape[seg];
    } else {
      out.push(typeof seg === 'number' ? String(seg) : '*');
      node = undefined;
    }
  }
  return out.join('.');
}
