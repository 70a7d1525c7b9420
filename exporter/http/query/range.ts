/**
 * Turning raw history points into the steps of a panel: the step is the largest of the panel's interval, the
 * scrape interval and range/maxDataPoints; steps are aligned to multiples of the step so a refreshing panel does
 * not shimmer. Within a step a series' points are reduced (mean for rates, last for gauges); across series they
 * are summed, or reduced by another function, step by step.
 */
import type { SeriesRange } from '../../history/store';

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
  const firstStart = grid.times.length ? grid.times[0] - grid.step : 0;
  for (let i = 0; i < series.times.length; i++) {
    const idx = Math.floor((series.times[i] - firstStart - 1) / grid.step);
    if (idx < 0 || idx >= grid.times.length) {
      continue;
    }
    const v = series.values[i];
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
  }
  for (let i = 0; i < out.length; i++) {
    if (counts[i] > 0) {
      out[i] = reduce === 'mean' ? sums[i] / counts[i] : sums[i];
    }
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
