export interface LatencySummary {
  p50: number;
  p95: number;
  mean: number;
}

/** Nearest-rank percentile (https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method); 0 for no samples. */
export function percentile(sortedValues: readonly number[], p: number): number {
  if (sortedValues.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedValues.length));
  return sortedValues[rank - 1]!;
}

export function summarizeLatency(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length === 0 ? 0 : sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), mean };
}
