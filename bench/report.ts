/** One benchmark figure, printed as a JSON line. */
export type Figure = { metric: string; value: number; unit: string };
export type Report = (f: Figure) => void;
/** Each bench/*.bench.ts exports `run`. */
export type BenchModule = { run(report: Report): Promise<void> };

/** The q-quantile (0-1) of a sample, nearest-rank. */
export function quantile(sample: readonly number[], q: number): number {
  if (sample.length === 0) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] as number;
}

/** Rounds a figure for printing. */
export const round = (n: number, digits = 2): number => Number(n.toFixed(digits));
