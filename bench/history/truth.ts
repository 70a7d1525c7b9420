/**
 * What a backfill wrote for a chosen few series, kept beside the blocks so that a test can work out what a query
 * over them must answer without generating the backfill again: every sample of every picked series, one row of
 * steps per series (NaN where the series was absent), in a binary file with a JSON index.
 *
 * The expected values follow Prometheus's semantics (the step grid's, see exporter/history/grid.ts): a gauge at t is
 * its last sample in [t - lookback, t]; a counter's rate at t is over the samples in [t - window, t], extrapolated as
 * Prometheus extrapolates (the arithmetic of exporter/history/promql-math.ts, itself checked against promtool).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extrapolatedRate } from '../../exporter/history/promql-math';
import { countAtOrBefore } from '../../simulator/sorted';
import type { SeriesSpec } from './series-model';

export interface TruthIndex {
  startSeconds: number;
  resolutionSeconds: number;
  steps: number;
  series: SeriesSpec[];
}

const INDEX = 'truth.json';
const VALUES = 'truth.f64';

/** Records the samples of the series `pick` accepts; `observe` is the backfill's hook. */
export class TruthRecorder {
  private readonly rows = new Map<SeriesSpec, Float64Array | null>();
  private readonly picked: Array<{ spec: SeriesSpec; values: Float64Array }> = [];

  constructor(
    private readonly pick: (series: SeriesSpec) => boolean,
    private readonly steps: number
  ) {}

  readonly observe = (series: SeriesSpec, step: number, _time: number, value: number): void => {
    let row = this.rows.get(series);
    if (row === undefined) {
      row = this.pick(series) ? new Float64Array(this.steps).fill(NaN) : null;
      this.rows.set(series, row);
      if (row) {
        this.picked.push({ spec: series, values: row });
      }
    }
    if (row) {
      row[step] = value;
    }
  };

  save(dir: string, startSeconds: number, resolutionSeconds: number): void {
    const index: TruthIndex = {
      startSeconds,
      resolutionSeconds,
      steps: this.steps,
      series: this.picked.map((p) => p.spec),
    };
    const all = new Float64Array(this.picked.length * this.steps);
    this.picked.forEach((p, i) => all.set(p.values, i * this.steps));
    writeFileSync(join(dir, VALUES), new Uint8Array(all.buffer));
    writeFileSync(join(dir, INDEX), JSON.stringify(index));
  }
}

/** A recorded series: its labels and its samples (unix ms, value), absent steps left out. */
export interface TruthSeries {
  name: string;
  labels: Record<string, string>;
  times: number[];
  values: number[];
}

export class Truth {
  private constructor(
    readonly index: TruthIndex,
    private readonly all: Float64Array
  ) {}

  static load(dir: string): Truth {
    const index = JSON.parse(readFileSync(join(dir, INDEX), 'utf8')) as TruthIndex;
    const bytes = readFileSync(join(dir, VALUES));
    const all = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    if (all.length !== index.series.length * index.steps) {
      throw new Error(
        `${join(dir, VALUES)}: ${all.length} values, the index says ${index.series.length} × ${index.steps}`
      );
    }
    return new Truth(index, all);
  }

  /** The recorded series of `name` whose labels include `labels`. */
  series(name: string, labels: Record<string, string> = {}): TruthSeries[] {
    const out: TruthSeries[] = [];
    this.index.series.forEach((spec, i) => {
      if (spec.name !== name || Object.entries(labels).some(([k, v]) => spec.labels[k] !== v)) {
        return;
      }
      const times: number[] = [];
      const values: number[] = [];
      for (let k = 0; k < this.index.steps; k++) {
        const v = this.all[i * this.index.steps + k];
        if (v === v) {
          times.push((this.index.startSeconds + k * this.index.resolutionSeconds) * 1000);
          values.push(v);
        }
      }
      out.push({ name, labels: spec.labels, times, values });
    });
    return out;
  }
}

/** Index of the last sample at or before `t` (unix ms), or -1. */
function lastAtOrBefore(times: readonly number[], t: number): number {
  return countAtOrBefore(times.length, (i) => times[i] <= t) - 1;
}

/** A gauge at `t`: its last sample in [t - lookback, t] (ms), or null. */
export function gaugeAt(s: TruthSeries, t: number, lookbackMs: number): number | null {
  const i = lastAtOrBefore(s.times, t);
  return i >= 0 && s.times[i] >= t - lookbackMs ? s.values[i] : null;
}

/** A counter's per-second rate at `t` over [t - window, t] (ms), or null with fewer than two samples in it. */
export function rateAt(s: TruthSeries, t: number, windowMs: number): number | null {
  const hi = lastAtOrBefore(s.times, t);
  let lo = hi;
  while (lo > 0 && s.times[lo - 1] >= t - windowMs) {
    lo--;
  }
  if (hi - lo < 1 || s.times[lo] < t - windowMs) {
    return null;
  }
  return extrapolatedRate(s.times, s.values, lo, hi, t - windowMs, t, true);
}
