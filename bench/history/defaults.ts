/**
 * Backfill resolutions (seconds between samples). The cost of a backfill is its samples: about 88 series per node,
 * so 1,000 nodes × 30 days is 63 M samples at one hour and 380 M at ten minutes; promtool turns text into blocks at
 * 0.1–0.5 M samples/s on two shared cores (the figures in the README's benchmarks table).
 * - CI: one hour keeps 1,000 nodes × 30 days to a few minutes of generation and promtool. A 30-day panel's step is
 *   about 30 minutes (Grafana's interval at 1,200 points), so every step still has its sample within the lookback
 *   and rate windows of 4 resolutions.
 * - The benchmark: ten minutes, closer to a real scrape interval, as large as this machine loads in a run.
 */
export const CI_RESOLUTION_SECONDS = 3600;
export const BENCH_RESOLUTION_SECONDS = 600;

/**
 * The 30-day test's backfill: 1,000 nodes over two shards, the last 30 days at CI_RESOLUTION_SECONDS, in 162-hour
 * blocks: promtool pays about 90 µs per series per block besides about 2.5 µs per sample, and 83,000 series in 14
 * blocks of 54 hours cost it a minute more than in 5 blocks of 162 hours.
 */
export const CI_SHAPE = {
  nodes: 1000,
  days: 30,
  resolutionSeconds: CI_RESOLUTION_SECONDS,
  shards: 2,
  seed: 1,
  blockHours: 162,
} as const;

/** The benchmark's blocks: 54 hours, what a Prometheus with 30 days of retention compacts to. */
export const BENCH_BLOCK_HOURS = 54;
