/**
 * What a panel needs from the history, as a small subset of PromQL: an aggregation (sum, max, min, count by some
 * labels) of a range function (last_over_time, max_over_time, rate, increase) over one selector, a difference of
 * two of them, or histogram_quantile over summed bucket rates. The Prometheus backend prints it as PromQL
 * (promql.ts); the embedded backend evaluates the same tree on its rings (embedded.ts), with the same semantics.
 * Label values from a request only ever enter as matcher values, which the printer escapes: no request text is
 * ever part of an expression otherwise.
 */

/** Matches a label equal to one of the values; an empty list is not allowed (absent filters make no matcher). */
export interface Matcher {
  label: string;
  values: readonly string[];
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
}

/** histogram_quantile(q, sum by (<by>, le) (rate(<bucket selector>[w]))). */
export interface Quantile {
  kind: 'quantile';
  q: number;
  by: readonly string[];
  buckets: Selector;
}

export type Expr = Aggregation | Quantile;

/** The labels an expression's result series carry. */
export function resultLabels(expr: Expr): readonly string[] {
  return expr.by;
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

export function quantile(q: number, by: readonly string[], buckets: Selector): Quantile {
  return { kind: 'quantile', q, by, buckets };
}
