/**
 * Repeated runs → one row per (scenario, system, metric): the median as `value` (so
 * bench/results/latest.json keeps its shape), min and max, and every sample in run order.
 * Ratios between two systems are ratios of medians; their spread is the widest the samples allow
 * (min/max … max/min), so a ratio whose spread crosses a target is not a result.
 */
import { median } from './stats.js';
import type { Run, ScenarioId, SystemId } from './types.js';

export interface Summary extends Run {
  readonly min: number;
  readonly max: number;
  /** One value per repeat, in the order they ran. */
  readonly samples: readonly number[];
}

export function summarize(runs: readonly Run[]): Summary[] {
  const groups = new Map<string, { first: Run; values: number[] }>();
  for (const r of runs) {
    const key = `${r.scenario}\0${r.system}\0${r.metric}`;
    const g = groups.get(key);
    if (g) g.values.push(r.value);
    else groups.set(key, { first: r, values: [r.value] });
  }
  return [...groups.values()].map(({ first, values }) => ({
    scenario: first.scenario,
    system: first.system,
    metric: first.metric,
    value: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    samples: values,
  }));
}

export interface Ratio {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/** a / b on medians, with the spread of every sample pair; undefined when either side is missing or zero. */
export function ratio(a: Summary | undefined, b: Summary | undefined): Ratio | undefined {
  if (!a || !b || b.value === 0 || b.min <= 0) return undefined;
  return { value: a.value / b.value, low: a.min / b.max, high: a.max / b.min };
}

export function find(rows: readonly Summary[], scenario: ScenarioId, system: SystemId, metric: string): Summary | undefined {
  return rows.find((r) => r.scenario === scenario && r.system === system && r.metric === metric);
}
