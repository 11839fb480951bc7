/** Percentiles over a batch of samples (ms), the one summary every bench table uses. */
export interface LatencySummary {
  count: number
  p50: number
  p95: number
  p99: number
  max: number
}

export function summarize(samples: ArrayLike<number>, count = samples.length): LatencySummary {
  const sorted = Float64Array.from({ length: count }, (_, i) => samples[i]!).sort()
  const at = (q: number): number => (count === 0 ? NaN : sorted[Math.min(count - 1, Math.floor(q * count))]!)
  return { count, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: count ? sorted[count - 1]! : NaN }
}
