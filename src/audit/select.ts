/** Which checks run: --only/--skip by id or area, safe unless --intrusive. */
import type { AuditOptions, CheckModule } from './types.js';

function matches(m: CheckModule, sel: string): boolean {
  const s = sel.trim().toUpperCase();
  return m.meta.id === s || m.meta.area === s || m.meta.id === `WSG-${s}`;
}

/** The operator left this check out with --skip (by id, short id or area). */
export function skippedByOperator(o: Pick<AuditOptions, 'skip'>, id: string): boolean {
  const area = id.split('-')[1] ?? '';
  return o.skip.some((s) => matches({ meta: { id, area } } as CheckModule, s));
}

export function selectChecks(all: CheckModule[], o: Pick<AuditOptions, 'only' | 'skip'>): CheckModule[] {
  return all.filter((m) => (o.only.length === 0 || o.only.some((s) => matches(m, s))) && !o.skip.some((s) => matches(m, s)));
}

/** Selectors that name no check (a typo should be an error, not a silent no-op). */
export function unknownSelectors(all: CheckModule[], selectors: string[]): string[] {
  return selectors.filter((s) => !all.some((m) => matches(m, s)));
}
