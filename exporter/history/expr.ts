/**
 * What a panel needs from the history, as a small subset of PromQL: an aggregation (sum, max, min, count by some
 * labels) of a range function (last_over_time, max_over_time, rate, increase) over one selector, or of a difference
 * of two of them, optionally filtered by a comparison with a number (`> 0`, `>= 1`: only the points that pass are
 * answered); histogram_quantile over summed bucket rates; and, to rank nodes, the topk or bottomk of one of those
 * reduced over the whole range. The Prometheus backend prints it as PromQL
 * (promql.ts); the embedded backend evaluates the same tree on its rings (embedded.ts), with the same semantics.
 * Label values from a request only ever enter as matcher values, which the printer escapes: no request text is
 * ever part of an expression otherwise.
 */

/**
 * Matches a label equal to one of the values (or, negated, equal to none of them); an empty list is not allowed
 * (absent filters make no matcher).
 */
export interface Matcher {
  label: string;
  values: readonly string[];
  negate?: boolean;
}

export interface Selector {
  metric: string;
  matchers: readonly Matcher[];
}

export type RangeFunction = 'last_over_time' | 'max_over_time' | 'rate' | 'increase';

/** The range of a function, resolved against the grid: the gauge lookback, the rate window, or fixed. */
export type Window = { kind: 'lookback' } | { kind: 'rate' } | { kind: 'fixed'; ms: number };

export interface RangeCall {
  kind: 'call';
  fn: RangeFunction;
  selector: Selector;
  window: Window;
  /** Evaluated one step earlier (PromQL `offset <step>`). */
  offsetStep?: boolean;
}

/** lhs - rhs, series matched on all their labels (both sides select the same series). */
export interface Difference {
  kind: 'sub';
  lhs: RangeCall;
  rhs: RangeCall;
}

export type AggregationOp = 'sum' | 'max' | 'min' | 'count';

export interface Aggregation {
  kind: 'agg';
  op: AggregationOp;
  by: readonly string[];
  arg: RangeCall | Difference;
  /** Keeps only the values above (or at least) a number, as the PromQL filter `<aggregation> > 0` does. */
  keep?: Comparison;
  /** Keeps only the argument's values that pass before they are aggregated (PromQL `count (<arg> >= 1)`). */
  argKeep?: Comparison;
}

export interface Comparison {
  op: '>' | '>=';
  value: number;
}

/** histogram_quantile(q, sum by (<by>, le) (rate(<bucket selector>[w]))). */
export interface Quantile {
  kind: 'quantile';
  q: number;
  by: readonly string[];
  buckets: Selector;
}

/** How a series is reduced over the points of the range: PromQL's `<over>_over_time` on a subquery. */
export type RangeReduction = 'max' | 'min' | 'avg';

/**
 * The series of `arg` (one per node) that rank in the top (or bottom) k by `arg` reduced over the whole range, and
 * every series tied with the k-th, each valued by its reduction:
 *
 *   R >= scalar(min(topk(k, R)))   with R = <over>_over_time((<arg>)[<span>:<step>])
 *
 * The subquery's points are the grid's, so R is what the panel's own series give. PromQL's topk chooses among
 * equal values in no fixed order; keeping every tie makes the set the same on every evaluation and from both
 * backends, and the caller picks among ties by label. Evaluated once, at the end of the range: the set is the same
 * for the whole range (lines do not come and go from one step to the next). With `keep`, only the series whose
 * reduction passes it (`R >= scalar(...) > 0`): where most series reduce to 0 (workload pairs without drops in the
 * range), the ties at 0 are not answered.
 */
export interface Ranking {
  kind: 'ranking';
  order: 'topk' | 'bottomk';
  k: number;
  over: RangeReduction;
  /** From the first to the last point of the request's grid. */
  spanMs: number;
  arg: Aggregation | Quantile;
  keep?: Comparison;
}

export type Expr = Aggregation | Quantile | Ranking;

/** Whether a value passes a comparison (`> 0`, `>= 1`). */
export function passes(c: Comparison): (v: number) => boolean {
  return c.op === '>' ? (v) => v > c.value : (v) => v >= c.value;
}

/**
 * Which scores a ranking keeps: those at least as good as the k-th best (or the last, when there are fewer), so
 * every tie with the k-th is kept, and of those the ones that pass the ranking's `keep` (R >= scalar(min(topk(k, R)))
 * > 0: the edge is found among every score). One function for both backends: the embedded one ranks its own
 * reductions, the Prometheus one ranks the reductions Prometheus returns (see PrometheusBackend: R is evaluated
 * once, not twice).
 */
export function rankedKeep(
  scores: readonly number[],
  order: Ranking['order'],
  k: number,
  keep?: Comparison
): (score: number) => boolean {
  const sorted = [...scores].sort((a, b) => (order === 'topk' ? b - a : a - b));
  const edge = sorted[Math.min(k, sorted.length) - 1];
  const ranked = order === 'topk' ? (score: number) => score >= edge : (score: number) => score <= edge;
  if (!keep) {
    return ranked;
  }
  const passing = passes(keep);
  return (score) => ranked(score) && passing(score);
}

/** The labels an expression's result series carry. */
export function resultLabels(expr: Expr): readonly string[] {
  return expr.kind === 'ranking' ? expr.arg.by : expr.by;
}

// Builders, so the query table reads like the PromQL it stands for.

export function selector(metric: string, ...matchers: Array<Matcher | null>): Selector {
  return { metric, matchers: matchers.filter((m): m is Matcher => m !== null) };
}

/** A matcher for a request filter: null (no matcher) when the filter is absent or "all". */
export function matcher(label: string, values: Iterable<string> | null): Matcher | null {
  if (values === null) {
    return null;
  }
  const list = [...new Set(values)].sort();
  return list.length ? { label, values: list } : null;
}

export function eq(label: string, value: string): Matcher {
  return { label, values: [value] };
}

/** A label equal to none of the values (null when there are none). */
export function notIn(label: string, values: Iterable<string>): Matcher | null {
  const m = matcher(label, values);
  return m && { ...m, negate: true };
}

const call =
  (fn: RangeFunction, window: Window) =>
  (s: Selector): RangeCall => ({ kind: 'call', fn, selector: s, window });

/** The last sample within the lookback: a gauge's value. */
export const last = call('last_over_time', { kind: 'lookback' });
/** Per-second rate of a counter over the rate window. */
export const rate = call('rate', { kind: 'rate' });
/** Increase of a counter over the rate window. */
export const increase = call('increase', { kind: 'rate' });
/** Largest sample in the rate window (every sample of a step is in its window). */
export const maxOver = call('max_over_time', { kind: 'rate' });

export function over(fn: RangeFunction, s: Selector, ms: number): RangeCall {
  return { kind: 'call', fn, selector: s, window: { kind: 'fixed', ms } };
}

/** The change of a counter's last value over one step: last_over_time(x[l]) - last_over_time(x[l] offset <step>). */
export function stepChange(s: Selector): Difference {
  return { kind: 'sub', lhs: last(s), rhs: { ...last(s), offsetStep: true } };
}

const aggregate =
  (op: AggregationOp) =>
  (by: readonly string[], arg: RangeCall | Difference): Aggregation => ({ kind: 'agg', op, by, arg });

export const sumBy = aggregate('sum');
export const maxBy = aggregate('max');
export const minBy = aggregate('min');
export const countBy = aggregate('count');

/** Only the points of `agg` above `value` (PromQL `agg > value`): a sparse answer where most points would not be. */
export function above(value: number, agg: Aggregation): Aggregation {
  return { ...agg, keep: { op: '>', value } };
}

/** Only the points of `agg` at `value` or more (PromQL `agg >= value`). */
export function atLeast(value: number, agg: Aggregation): Aggregation {
  return { ...agg, keep: { op: '>=', value } };
}

export function quantile(q: number, by: readonly string[], buckets: Selector): Quantile {
  return { kind: 'quantile', q, by, buckets };
}

/** Only the argument's values at `value` or more, aggregated (`count (x >= 1)`: how many series are at 1 or more). */
export function eachAtLeast(value: number, agg: Aggregation): Aggregation {
  return { ...agg, argKeep: { op: '>=', value } };
}

export function ranking(
  order: Ranking['order'],
  k: number,
  over: RangeReduction,
  spanMs: number,
  arg: Ranking['arg'],
  keep?: Comparison
): Ranking {
  return { kind: 'ranking', order, k, over, spanMs, arg, ...(keep ? { keep } : {}) };
}

/** The same expression with one more matcher on every selector (a node set to keep, or to leave out). */
export function withMatcher<E extends Expr>(expr: E, m: Matcher): E {
  const sel = (s: Selector): Selector => ({ ...s, matchers: [...s.matchers, m] });
  const call = (c: RangeCall): RangeCall => ({ ...c, selector: sel(c.selector) });
  const e: Expr = expr;
  switch (e.kind) {
    case 'quantile':
      return { ...e, buckets: sel(e.buckets) } as E;
    case 'ranking':
      return { ...e, arg: withMatcher(e.arg, m) } as E;
    default: {
      const arg = e.arg.kind === 'sub' ? { ...e.arg, lhs: call(e.arg.lhs), rhs: call(e.arg.rhs) } : call(e.arg);
      return { ...e, arg } as E;
    }
  }
}
