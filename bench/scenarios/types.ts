import type { Context } from '../lib/harness.js';
import type { Run, ScenarioId, SystemId } from '../lib/types.js';

export interface Scenario {
  readonly id: ScenarioId;
  /** The metric the table, ratios and chart use. */
  readonly metric: string;
  readonly higherIsBetter: boolean;
  readonly systems: readonly SystemId[];
  /** At most this many repeats whatever `--repeat` says (the audit's wall time is not a performance target). */
  readonly maxRepeats?: number;
  /** Measures one system; returns its rows (primary metric first). */
  run(ctx: Context, system: SystemId): Promise<Run[]>;
}
