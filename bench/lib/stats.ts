/** Nearest-rank percentile of unsorted samples (0 when empty). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Median of unsorted samples (mean of the middle two for an even count; NaN when empty). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const s = Float64Array.from(samples).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
