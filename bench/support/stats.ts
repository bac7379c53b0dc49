/**
 * Small statistics and formatting helpers for the benchmarks. Every figure the benchmark
 * reports is compared with a baseline measured in the same run, so these only summarise
 * samples; none of them reads a clock.
 */

/** The `p`-th percentile (0–100) of `samples`, nearest-rank on a sorted copy; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

export const ratio = (measured: number, baseline: number): number =>
  baseline > 0 ? measured / baseline : Number.NaN;

/** Milliseconds since `start` (a `process.hrtime.bigint()` reading). */
export const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** Runs `f` and returns how long it took, in milliseconds (monotonic clock). */
export async function timeMs(f: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await f();
  return elapsedMs(start);
}

/** `[0, 1, …, n-1]` rotated by `shift`: the order in which interleaved variants run in round `shift`. */
export function rotation(n: number, shift: number): number[] {
  return Array.from({ length: n }, (_, i) => (i + shift) % n);
}

export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
export const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
