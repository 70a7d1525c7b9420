/**
 * What the 30-day test expects, worked out from the samples the backfill wrote (bench/history/truth.ts) on a panel's
 * step grid: step-wise sums, each node's endpoints not ready, each node's policy revision skew, and the nodes a
 * top-N panel must show (ranked by their signal over the range's points, the highest first, ties by name).
 */
import { NORMAL_ENDPOINT_STATES } from '../../exporter/http/query/promql-table';
import { type Truth, type TruthSeries, gaugeAt } from '../../bench/history/truth';

export type Values = Array<number | null>;

/** The sum over series of a value each may lack at a point (null when none has one), as `sum` aggregates. */
export function sumAt(series: TruthSeries[], value: (s: TruthSeries) => number | null): number | null {
  let sum: number | null = null;
  for (const s of series) {
    const v = value(s);
    if (v !== null) {
      sum = (sum ?? 0) + v;
    }
  }
  return sum;
}

/** Point by point sum (or max) of rows, null where no row has a value. */
export function stepwise(rows: Values[], length: number, how: 'sum' | 'max' = 'sum'): Values {
  return Array.from({ length }, (_, i) => {
    const present = rows.map((r) => r[i]).filter((v): v is number => v !== null);
    if (present.length === 0) {
      return null;
    }
    return how === 'sum' ? present.reduce((a, b) => a + b, 0) : Math.max(...present);
  });
}

/** The gauge's value at each time, as `last_over_time(x[lookback])` reads it. */
export function gauge(s: TruthSeries, times: number[], lookbackMs: number): Values {
  return times.map((t) => gaugeAt(s, t, lookbackMs));
}

/**
 * Each node's endpoints in a state other than the normal ones at each time, as a panel shows them (`shown`: 0 where
 * the node reported endpoints in normal states only, null where it reported none) and as the ranking reads them
 * (`signal`: the sum of the other states' series, null where none has a value).
 */
export function notReadyByNode(
  truth: Truth,
  nodes: string[],
  times: number[],
  lookbackMs: number
): { shown: Map<string, Values>; signal: Map<string, Values> } {
  const shown = new Map<string, Values>();
  const signal = new Map<string, Values>();
  for (const node of nodes) {
    const states = truth.series('ciliumscope_endpoints', { node });
    const abnormal = states.filter((s) => !NORMAL_ENDPOINT_STATES.includes(s.labels.state));
    const sum = times.map((t) => sumAt(abnormal, (s) => gaugeAt(s, t, lookbackMs)));
    signal.set(node, sum);
    shown.set(
      node,
      times.map((t, i) => (states.some((s) => gaugeAt(s, t, lookbackMs) !== null) ? (sum[i] ?? 0) : null))
    );
  }
  return { shown, signal };
}

/** The fewest a node held over the last `steps` points (itself included) at each point. */
export function fewestOver(values: Values, steps: number): Values {
  return values.map((_, i) => {
    const window = values.slice(Math.max(0, i - steps + 1), i + 1).filter((v): v is number => v !== null);
    return window.length ? Math.min(...window) : null;
  });
}

/**
 * The k nodes first by a score, highest first, ties by name; nodes without a score do not rank. `rankScore` is how
 * the series was reduced over the range (the largest point for "most at any point").
 */
export function topNodes(series: Map<string, Values>, k: number, rankScore: (v: number[]) => number): string[] {
  return [...series]
    .map(([node, values]) => ({ node, points: values.filter((v): v is number => v !== null) }))
    .filter((n) => n.points.length > 0)
    .map((n) => ({ node: n.node, score: rankScore(n.points) }))
    .sort((a, b) => b.score - a.score || (a.node < b.node ? -1 : 1))
    .slice(0, k)
    .map((n) => n.node);
}

/**
 * Each node's policy revision skew at each point: policy changes the most advanced node applied since the first
 * point that this node did not. A node's changes are the sum of its revision's rises (a restart's drop adds none).
 */
export function revisionSkews(revisions: Map<string, Values>, length: number): Map<string, Values> {
  const applied = new Map<string, Values>();
  for (const [node, values] of revisions) {
    let total = 0;
    let before: number | null = null;
    applied.set(
      node,
      values.map((v) => {
        if (v === null) {
          return null;
        }
        total += before !== null && v > before ? v - before : 0;
        before = v;
        return total;
      })
    );
  }
  const newest = stepwise([...applied.values()], length, 'max');
  return new Map(
    [...applied].map(([node, values]) => [
      node,
      values.map((a, i) => (a === null || newest[i] === null ? null : newest[i]! - a)),
    ])
  );
}
