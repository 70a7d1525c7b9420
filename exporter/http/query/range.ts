/**
 * Turning raw history points into the steps of a panel: the step is the largest of the panel's interval, the
 * scrape interval and range/maxDataPoints; steps are aligned to multiples of the step so a refreshing panel does
 * not shimmer. Within a step a series' points are reduced (mean for rates, last for gauges); across series they
 * are summed, or reduced by another function, step by step.
 */
import { RingSeriesRange, type SeriesRange } from '../../history/store';

const MAX_POINTS = 11_000;

export interface StepGrid {
  from: number;
  to: number;
  step: number;
  /** Step end times: the time a step's value is shown at. */
  times: number[];
}

export function makeGrid(from: number, to: number, intervalMs: number | undefined, maxDataPoints: number | undefined, scrapeIntervalMs: number): StepGrid {
  const span = Math.max(1, to - from);
  // Without maxDataPoints (Grafana always sends it) a frame still stays within Grafana's own limit.
  const byPoints = Math.ceil(span / (maxDataPoints && maxDataPoints > 0 ? maxDataPoints : MAX_POINTS));
  const step = Math.max(intervalMs ?? 0, scrapeIntervalMs, byPoints, 1);
  // The first step ends at or after `from`, so a point exactly at `from` is shown.
  const first = Math.ceil(from / step) * step;
  const times: number[] = [];
  for (let t = first; t <= to + step - 1 && times.length <= MAX_POINTS; t += step) {
    times.push(t);
  }
  return { from, to, step, times };
}

export type WithinStep = 'mean' | 'last' | 'max' | 'sum';

/** One series on the grid: a value per step, or null where it has no point. */
export function onGrid(series: SeriesRange, grid: StepGrid, reduce: WithinStep): Array<number | null> {
  const out: Array<number | null> = new Array(grid.times.length).fill(null);
  const sums = new Float64Array(grid.times.length);
  const counts = new Uint32Array(grid.times.length);
  accumulate(series, grid, reduce, sums, counts);
  for (let i = 0; i < out.length; i++) {
    if (counts[i] > 0) {
      out[i] = reduce === 'mean' ? sums[i] / counts[i] : sums[i];
    }
  }
  return out;
}

function stepIndex(t: number, grid: StepGrid): number {
  const firstStart = grid.times.length ? grid.times[0] - grid.step : 0;
  const idx = Math.floor((t - firstStart - 1) / grid.step);
  return idx < 0 || idx >= grid.times.length ? -1 : idx;
}

/** Steps of a selection's point times on a grid (-1 outside it), computed once per selection and grid. */
const stepsCache = new WeakMap<Float64Array, { grid: StepGrid; steps: Int32Array }>();
function stepsOf(pointTimes: Float64Array, grid: StepGrid): Int32Array {
  const cached = stepsCache.get(pointTimes);
  if (cached && cached.grid === grid) {
    return cached.steps;
  }
  const steps = Int32Array.from(pointTimes, (t) => stepIndex(t, grid));
  stepsCache.set(pointTimes, { grid, steps });
  return steps;
}

/** Adds a series' points into per-step sums and counts (as onGrid reduces them). */
function accumulate(series: SeriesRange, grid: StepGrid, reduce: WithinStep, sums: Float64Array, counts: Uint32Array): void {
  const add = (idx: number, v: number) => {
    switch (reduce) {
      case 'last':
        sums[idx] = v;
        counts[idx] = 1;
        break;
      case 'max':
        sums[idx] = counts[idx] === 0 ? v : Math.max(sums[idx], v);
        counts[idx] = 1;
        break;
      default:
        sums[idx] += v;
        counts[idx]++;
    }
  };
  if (series instanceof RingSeriesRange) {
    // A view of the history's ring: read the values in place, steps computed once for the whole selection.
    const steps = stepsOf(series.pointTimes, grid);
    const { ring, slots } = series;
    if (reduce === 'mean' || reduce === 'sum') {
      for (let k = 0; k < steps.length; k++) {
        const idx = steps[k];
        const v = ring[slots[k]];
        if (idx >= 0 && v === v) {
          sums[idx] += v;
          counts[idx]++;
        }
      }
      return;
    }
    for (let k = 0; k < steps.length; k++) {
      const idx = steps[k];
      const v = ring[slots[k]];
      if (idx >= 0 && v === v) {
        add(idx, v);
      }
    }
    return;
  }
  for (let i = 0; i < series.times.length; i++) {
    const idx = stepIndex(series.times[i], grid);
    if (idx >= 0) {
      add(idx, series.values[i]);
    }
  }
}

/** Mean of a series' points (0 without any), in point order as `values.reduce` sums them. */
export function pointMean(series: SeriesRange): number {
  if (series instanceof RingSeriesRange) {
    const { ring, slots } = series;
    let sum = 0;
    let n = 0;
    for (let k = 0; k < slots.length; k++) {
      const v = ring[slots[k]];
      if (v === v) {
        sum += v;
        n++;
      }
    }
    return n ? sum / n : 0;
  }
  return series.values.length ? series.values.reduce((a, b) => a + b, 0) / series.values.length : 0;
}

/**
 * combine(members.map((s) => onGrid(s, grid, within)), across, steps) without a row per series: the same sums in
 * the same order, so the same numbers.
 */
export function reduceGroup(members: SeriesRange[], grid: StepGrid, within: WithinStep, across: AcrossSeries): Array<number | null> {
  const n = grid.times.length;
  const acc = new Float64Array(n);
  const has = new Uint8Array(n);
  const sums = new Float64Array(n);
  const counts = new Uint32Array(n);
  for (const s of members) {
    sums.fill(0);
    counts.fill(0);
    accumulate(s, grid, within, sums, counts);
    for (let i = 0; i < n; i++) {
      if (counts[i] === 0) {
        continue;
      }
      const v = within === 'mean' ? sums[i] / counts[i] : sums[i];
      if (!has[i]) {
        acc[i] = across === 'count' ? 1 : v;
        has[i] = 1;
      } else if (across === 'sum') {
        acc[i] = acc[i] + v;
      } else if (across === 'max') {
        acc[i] = Math.max(acc[i], v);
      } else if (across === 'min') {
        acc[i] = Math.min(acc[i], v);
      } else {
        acc[i] = acc[i] + 1;
      }
    }
  }
  const out: Array<number | null> = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = has[i] ? acc[i] : null;
  }
  return out;
}

export type AcrossSeries = 'sum' | 'max' | 'min' | 'count';

/** Combines aligned series step by step; a step where no series has a value stays null. */
export function combine(rows: Array<Array<number | null>>, how: AcrossSeries, length: number): Array<number | null> {
  const out: Array<number | null> = new Array(length).fill(null);
  for (const row of rows) {
    for (let i = 0; i < length; i++) {
      const v = row[i];
      if (v === null) {
        continue;
      }
      const cur = out[i];
      if (cur === null) {
        out[i] = how === 'count' ? 1 : v;
      } else if (how === 'sum') {
        out[i] = cur + v;
      } else if (how === 'max') {
        out[i] = Math.max(cur, v);
      } else if (how === 'min') {
        out[i] = Math.min(cur, v);
      } else {
        out[i] = cur + 1;
      }
    }
  }
  return out;
}

/** Groups series by the values of some labels (e.g. by state, or by node and state). */
export function groupBy(series: SeriesRange[], labels: string[]): Map<string, { labels: Record<string, string>; members: SeriesRange[] }> {
  const groups = new Map<string, { labels: Record<string, string>; members: SeriesRange[] }>();
  for (const s of series) {
    const key = labels.map((l) => s.labels[l] ?? '').join('\u0000');
    let g = groups.get(key);
    if (!g) {
      const picked: Record<string, string> = {};
      for (const l of labels) {
        picked[l] = s.labels[l] ?? '';
      }
      g = { labels: picked, members: [] };
      groups.set(key, g);
    }
    g.members.push(s);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
