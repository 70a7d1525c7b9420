/**
 * Backfill resolutions (seconds between samples). The cost of a backfill is its samples: about 83 series per node,
 * so 1,000 nodes × 30 days is 60 M samples at one hour and 360 M at ten minutes; the generator writes about 0.55–0.75
 * M samples per CPU second and promtool turns them into blocks at 0.23–0.41 M per CPU second (the README's figures).
 * - CI: one hour keeps 1,000 nodes × 30 days to a few minutes of generation and promtool. A 30-day panel's step is
 *   about 30 minutes (Grafana's interval at 1,200 points), so every step still has its sample within the lookback
 *   and rate windows of 4 resolutions.
 * - The benchmark: ten minutes, closer to a real scrape interval: about 360 M samples, some 20 minutes of promtool on
 *   two idle cores by the per-sample cost above (run it once with --data DIR, then reuse it).
 */
export const CI_RESOLUTION_SECONDS = 3600;
export const BENCH_RESOLUTION_SECONDS = 600;

/**
 * The 30-day test's backfill: 1,000 nodes over two shards, 30 days at CI_RESOLUTION_SECONDS up to a fixed end (so a
 * backfill made once is kept and found again: bench/history/cached.ts), in 162-hour blocks. promtool pays per series per block (about 55 µs) besides per sample (about 3 µs of CPU): 83,000 series in
 * 14 blocks of 54 hours cost 256 CPU s for the 59.5 M samples, 6 blocks of 162 hours 206 CPU s, so about 3.5 minutes
 * on two idle cores with the generation (102 CPU s) alongside.
 */
export const CI_SHAPE = {
  nodes: 1000,
  days: 30,
  resolutionSeconds: CI_RESOLUTION_SECONDS,
  shards: 2,
  seed: 1,
  blockHours: 162,
  /** 2025-06-01T00:00Z: any fixed time in the past; the test and the benchmark take it as "now". */
  endMs: Date.UTC(2025, 5, 1),
} as const;

/** The benchmark's blocks: 54 hours, what a Prometheus with 30 days of retention compacts to. */
export const BENCH_BLOCK_HOURS = 54;
