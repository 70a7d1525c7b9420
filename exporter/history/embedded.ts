/**
 * The embedded backend: evaluates expressions (expr.ts) on the rings with PromQL's semantics, so it answers what a
 * Prometheus holding the same samples answers. Each selected series' samples are read in place from its ring (no
 * copy per series beyond one scratch buffer), walked once per expression with two pointers as the grid advances,
 * and folded into its group's accumulators.
 */
import {
  type GridSeries,
  type HistoryBackend,
  type HistoryReader,
  type HistoryStatus,
  gridValue,
  seriesSortKey,
} from './backend';
import {
  type Aggregation,
  type Expr,
  type Matcher,
  type RangeCall,
  type Ranking,
  type Selector,
  passes,
  rankedKeep,
} from './expr';
import type { StepGrid } from './grid';
import { windowMs } from './promql';
import { extrapolatedRate, incrementalMean } from './promql-math';
import { bucketRates, evaluateSharingBuckets, quantileSeries } from './quantile';
import type { Labels, RingHistory, Selection } from './ring';

/** What the evaluator reads: a ring (or several, read as one history: the shards' rings, in tests). */
export interface SampleSource {
  select(metric: string, match: (labels: Labels) => boolean, from: number, to: number): Selection;
}

export class EmbeddedBackend implements HistoryBackend {
  readonly kind = 'embedded';

  constructor(
    private readonly ring: RingHistory,
    readonly intervalMs: number
  ) {}

  reader(): HistoryReader {
    return {
      evaluate: (exprs, grid) =>
        evaluateSharingBuckets(exprs, grid.times.length, async (e) => evaluate(this.ring, e, grid)),
    };
  }

  status(): HistoryStatus {
    const s = this.ring.stats();
    return {
      backend: 'embedded',
      url: null,
      state: 'ok',
      lastSuccessAt: null,
      lastError: null,
      lastErrorAt: null,
      retentionSeconds: s.retentionMs / 1000,
      series: s.series,
      bytes: s.bytes,
    };
  }

  async close(): Promise<void> {}
}

/** An expression's result series on the grid, sorted by their labels. */
export function evaluate(source: SampleSource | readonly SampleSource[], expr: Expr, grid: StepGrid): GridSeries[] {
  if (grid.times.length === 0) {
    return [];
  }
  if (expr.kind === 'ranking') {
    return rankingOf(source, expr, grid);
  }
  if (expr.kind === 'quantile') {
    return quantileSeries(evaluate(source, bucketRates(expr), grid), expr.q, expr.by, grid.times.length);
  }
  return [...aggregate(source, expr, grid).values()].map((g) => g.series);
}

interface Group {
  series: GridSeries;
  acc: Float64Array;
  counts: Uint32Array;
}

function aggregate(
  source: SampleSource | readonly SampleSource[],
  expr: Aggregation,
  grid: StepGrid
): Map<string, Group> {
  const n = grid.times.length;
  const calls = expr.arg.kind === 'sub' ? [expr.arg.lhs, expr.arg.rhs] : [expr.arg];
  const sel = expr.arg.kind === 'sub' ? expr.arg.lhs.selector : expr.arg.selector;
  const reach = Math.max(...calls.map((c) => windowMs(c.window, grid) + (c.offsetStep ? grid.step : 0)));
  const match = matcherOf(sel);
  const selections = (Array.isArray(source) ? source : [source]).map((s: SampleSource) =>
    s.select(sel.metric, match, grid.times[0] - reach, grid.times[n - 1])
  );
  const scratch = new Scratch(Math.max(0, ...selections.map((x) => x.slots.length)));
  const values = new Float64Array(n);
  const other = calls.length > 1 ? new Float64Array(n) : null;
  const groups = new Map<string, Group>();
  const argKeep = expr.argKeep ? passes(expr.argKeep) : null;
  for (const { view, slots } of selections.flatMap((x) => x.series.map((view) => ({ view, slots: x.slots })))) {
    scratch.load(view, slots);
    let [from, to] = evalCall(calls[0], scratch, grid, values);
    if (other) {
      const [otherFrom, otherTo] = evalCall(calls[1], scratch, grid, other);
      [from, to] = [Math.max(from, otherFrom), Math.min(to, otherTo)];
      for (let i = from; i < to; i++) {
        values[i] -= other[i];
      }
    }
    if (argKeep) {
      for (let i = from; i < to; i++) {
        // A comparison without `bool` drops the values it does not keep (NaN is skipped by fold).
        values[i] = argKeep(values[i]) ? values[i] : NaN;
      }
    }
    if (from >= to) {
      continue;
    }
    const key = seriesSortKey(view.labels, expr.by);
    let g = groups.get(key);
    if (!g) {
      const labels: Record<string, string> = {};
      for (const l of expr.by) {
        labels[l] = view.labels[l] ?? '';
      }
      g = { series: { labels, values: [] }, acc: new Float64Array(n), counts: new Uint32Array(n) };
      groups.set(key, g);
    }
    fold(expr.op, values, from, to, g);
  }
  // As Prometheus answers: sorted by labels, and a series without a single value in the range is not there.
  const sorted = new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const keep = expr.keep ? passes(expr.keep) : () => true;
  for (const [key, g] of sorted) {
    g.series.values = Array.from(g.acc, (v, i) => (g.counts[i] && keep(v) ? gridValue(v) : null));
    if (g.series.values.every((v) => v === null)) {
      sorted.delete(key);
    }
  }
  return sorted;
}

/** Adds one series' values at points [from, to) into its group. */
function fold(op: Aggregation['op'], values: Float64Array, from: number, to: number, g: Group): void {
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      continue;
    }
    if (g.counts[i] === 0) {
      g.acc[i] = op === 'count' ? 1 : v;
    } else if (op === 'sum') {
      g.acc[i] += v;
    } else if (op === 'max') {
      g.acc[i] = v > g.acc[i] ? v : g.acc[i];
    } else if (op === 'min') {
      g.acc[i] = v < g.acc[i] ? v : g.acc[i];
    } else {
      g.acc[i] += 1;
    }
    g.counts[i]++;
  }
}

/**
 * At each grid point, the series of the argument evaluated on the points of the span before it (the subquery's,
 * which are the request grid's when the span is), reduced over them, then those in the top or bottom k and every
 * series tied with the k-th (see expr.ts).
 */
function rankingOf(source: SampleSource | readonly SampleSource[], expr: Ranking, grid: StepGrid): GridSeries[] {
  const scores = new Map<string, { labels: Record<string, string>; values: Array<number | null> }>();
  grid.times.forEach((t, i) => {
    const first = Math.ceil((t - expr.spanMs) / grid.step) * grid.step;
    const times: number[] = [];
    for (let u = first; u <= t; u += grid.step) {
      times.push(u);
    }
    const reduced = evaluate(source, expr.arg, { ...grid, from: first, to: t, times })
      .map((s) => ({ labels: s.labels, score: reduce(s.values, expr.over) }))
      .filter((s): s is { labels: Record<string, string>; score: number } => s.score !== null);
    const kept = rankedKeep(
      reduced.map((s) => s.score),
      expr.order,
      expr.k,
      expr.keep
    );
    for (const s of reduced) {
      if (kept(s.score)) {
        const key = seriesSortKey(s.labels, expr.arg.by);
        const row = scores.get(key) ?? {
          labels: s.labels,
          values: new Array<number | null>(grid.times.length).fill(null),
        };
        row.values[i] = s.score;
        scores.set(key, row);
      }
    }
  });
  return [...scores.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}

/** A series' points reduced as `<over>_over_time` reduces them: null without any. */
function reduce(values: ReadonlyArray<number | null>, over: Ranking['over']): number | null {
  const present = values.filter((v): v is number => v !== null);
  if (!present.length) {
    return null;
  }
  return over === 'avg'
    ? incrementalMean(present)
    : present.reduce((a, b) => (over === 'max' ? Math.max(a, b) : Math.min(a, b)));
}

function matcherOf(s: Selector): (labels: Labels) => boolean {
  const sets = s.matchers.map((m: Matcher) => [m.label, new Set(m.values), m.negate === true] as const);
  return (labels) => sets.every(([label, values, negate]) => values.has(labels[label] ?? '') !== negate);
}

/** One series' samples (time, value), oldest first, copied out of the ring into reused buffers. */
class Scratch {
  times: Float64Array;
  values: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  load(view: { times: ArrayLike<number>; values: ArrayLike<number> }, slots: Int32Array): void {
    let n = 0;
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[k];
      const t = view.times[slot];
      const v = view.values[slot];
      // Samples are in time order (a clock's times grow cycle by cycle); a missing one is NaN.
      if (t === t && v === v) {
        this.times[n] = t;
        this.values[n] = v;
        n++;
      }
    }
    this.length = n;
  }
}

/**
 * A range function at the grid times, as PromQL evaluates it per step: only at the points whose window can hold one
 * of the series' samples, [from, to) returned (a long range over a short history is mostly empty); NaN where a
 * point in there has no value. `out` is not written outside [from, to).
 */
function evalCall(call: RangeCall, s: Scratch, grid: StepGrid, out: Float64Array): [number, number] {
  const { times, values, length } = s;
  if (length === 0) {
    return [0, 0];
  }
  const w = windowMs(call.window, grid);
  const offset = call.offsetStep ? grid.step : 0;
  // Grid points are t0 + i × step (integers): the first whose window ends at or after the first sample, up to the
  // last whose window starts at or before the last one.
  const t0 = grid.times[0];
  const from = Math.max(0, Math.ceil((times[0] + offset - t0) / grid.step));
  const to = Math.min(grid.times.length, Math.floor((times[length - 1] + offset + w - t0) / grid.step) + 1);
  let lo = 0;
  let hi = 0;
  for (let i = from; i < to; i++) {
    const end = grid.times[i] - offset;
    const start = end - w;
    while (hi < length && times[hi] <= end) {
      hi++;
    }
    while (lo < hi && times[lo] < start) {
      lo++;
    }
    // Samples in [start, end] are lo .. hi-1.
    if (lo >= hi) {
      out[i] = NaN;
      continue;
    }
    switch (call.fn) {
      case 'last_over_time':
        out[i] = values[hi - 1];
        break;
      case 'max_over_time': {
        let max = values[lo];
        for (let k = lo + 1; k < hi; k++) {
          if (values[k] > max) {
            max = values[k];
          }
        }
        out[i] = max;
        break;
      }
      default:
        out[i] = extrapolatedRate(times, values, lo, hi - 1, start, end, call.fn === 'rate');
    }
  }
  return [from, Math.max(from, to)];
}
