/**
 * The step grid of a range query and the windows of its functions, with Prometheus's semantics. Both history
 * backends evaluate on the same grid with the same windows, so the same request gives the same points from either:
 *
 * - points at the multiples of the step within [from, to]: never after `to` (Grafana's clock may run ahead of the
 *   exporter's), aligned so a refreshing panel does not shimmer, as Grafana aligns Prometheus queries;
 * - step = the largest of Grafana's interval, the sample interval and range / maxDataPoints, in whole
 *   milliseconds, with at most 11,000 points (Prometheus's own query_range limit);
 * - a gauge's value at t is its last sample in [t - lookback, t], lookback = max(5 min, 2 × sample interval);
 * - a rate's value at t is over the window [t - w, t], w = max(step + interval, 4 × interval) (Grafana's
 *   $__rate_interval: every sample is in some window, and a window holds at least four of them).
 */

export const MAX_POINTS = 11_000;
/** Prometheus's instant-query lookback: a gauge is never looked up further back than this or 2 intervals. */
export const MIN_LOOKBACK_MS = 5 * 60_000;

export interface StepGrid {
  from: number;
  to: number;
  step: number;
  /** Evaluation times, ascending: the times a frame's points are shown at. */
  times: number[];
  /** Time between two samples of a series (the scrape interval), which sets the windows. */
  intervalMs: number;
}

export function makeGrid(
  from: number,
  to: number,
  intervalMs: number | undefined,
  maxDataPoints: number | undefined,
  sampleIntervalMs: number
): StepGrid {
  const span = Math.max(0, to - from);
  const points = maxDataPoints && maxDataPoints > 0 ? Math.min(maxDataPoints, MAX_POINTS) : MAX_POINTS;
  let step = Math.ceil(Math.max(intervalMs ?? 0, sampleIntervalMs, span / points, 1));
  if (Math.floor(span / step) + 1 > MAX_POINTS) {
    step = Math.ceil(span / (MAX_POINTS - 1));
  }
  const times: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    times.push(t);
  }
  return { from, to, step, times, intervalMs: sampleIntervalMs };
}

/** A grid of one point at `time`, for answers that are one value per series (tables, rankings). */
export function instantGrid(time: number, sampleIntervalMs: number, step = sampleIntervalMs): StepGrid {
  return { from: time, to: time, step, times: [time], intervalMs: sampleIntervalMs };
}

/** The time a range's single-value answers are taken at: the end of its grid (a multiple of the step at or before `to`). */
export function gridEnd(grid: StepGrid): number {
  return Math.floor(grid.to / grid.step) * grid.step;
}

export function rateWindowMs(grid: Pick<StepGrid, 'step' | 'intervalMs'>): number {
  return Math.max(grid.step + grid.intervalMs, 4 * grid.intervalMs);
}

export function lookbackMs(grid: Pick<StepGrid, 'intervalMs'>): number {
  return Math.max(MIN_LOOKBACK_MS, 2 * grid.intervalMs);
}
