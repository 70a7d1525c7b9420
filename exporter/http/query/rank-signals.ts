/**
 * What "the top N nodes" means for each query type: the signal a node is ranked by over the whole range, and how
 * the nodes outside the top N combine into an "other nodes" series. A `Record` over the contract's query types, so
 * a new query type does not compile until it says how it ranks (or that it does not: tables and cluster-only views).
 *
 * Signals read a node's series as the query answers them (labels plus a value per step), whichever history backend
 * produced them; each maps to one PromQL form, `topk(N, <reduction>_over_time(<series>[range]))`, noted beside it.
 */
import type { QueryType, ScopeQuery } from '../../../src/contract';

/** One series of one node: its labels and its value per step (null where it has none). */
export interface NodeSeries {
  labels: Record<string, string>;
  values: Array<number | null>;
}

export interface RankSignal {
  /** What the rank follows, in words: the notice on a limited answer names it. */
  describe: string;
  /** A node's score over the range from its series; higher ranks first. */
  score: (series: NodeSeries[]) => number;
  /**
   * How the series of the nodes outside the top N combine into one "other nodes" series per remaining label set:
   * `sum` for counts and rates, `max` where only the worst means something, null where no combination does (a sum
   * of policy revisions, of quantiles).
   */
  others: 'sum' | 'max' | null;
}

type Over = 'max' | 'min' | 'sum' | 'mean' | 'last' | 'first';

/** A series reduced over the range, as PromQL's `<over>_over_time` would (null points skipped); null when empty. */
export function reduceOver(values: Array<number | null>, over: Over): number | null {
  let out: number | null = null;
  let n = 0;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) {
      continue;
    }
    n++;
    if (out === null) {
      out = v;
    } else if (over === 'max') {
      out = Math.max(out, v);
    } else if (over === 'min') {
      out = Math.min(out, v);
    } else if (over === 'sum' || over === 'mean') {
      out += v;
    } else if (over === 'last') {
      out = v;
    }
  }
  return over === 'mean' && out !== null ? out / n : out;
}

/** Score: each matching series reduced over the range, then summed (or the largest taken) across them. */
function scoreBy(
  over: Over,
  options: { where?: (labels: Record<string, string>) => boolean; across?: 'sum' | 'max'; sign?: 1 | -1 } = {}
) {
  return (series: NodeSeries[]) => {
    let total = Number.NEGATIVE_INFINITY;
    for (const s of series) {
      if (options.where && !options.where(s.labels)) {
        continue;
      }
      const v = reduceOver(s.values, over);
      if (v === null) {
        continue;
      }
      const signed = (options.sign ?? 1) * v;
      total =
        total === Number.NEGATIVE_INFINITY
          ? signed
          : options.across === 'max'
            ? Math.max(total, signed)
            : total + signed;
    }
    return total;
  };
}

/** Endpoint states that belong to a normal lifecycle (the "endpoints not ready" alert leaves them out too). */
export const NORMAL_ENDPOINT_STATES: ReadonlySet<string> = new Set(['ready', 'disconnecting', 'disconnected']);

const notReady: RankSignal = {
  describe: 'endpoints not ready (most at any time in the range)',
  // topk(N, max_over_time(sum by (node) (ciliumscope_endpoints{state!~"ready|disconnecting|disconnected"})[range:]))
  score: scoreBy('max', { where: (l) => l.state === undefined || !NORMAL_ENDPOINT_STATES.has(l.state) }),
  others: 'sum',
};

const largestDelta: RankSignal = {
  describe: 'largest pod/endpoint delta in the range',
  // topk(N, max_over_time(abs(sum by (node) (ciliumscope_endpoint_pod_delta))[range:]))
  score: (series) =>
    Math.max(
      scoreBy('max', { where: (l) => l.series === undefined || l.series === 'delta', across: 'max' })(series),
      scoreBy('min', { where: (l) => l.series === undefined || l.series === 'delta', across: 'max', sign: -1 })(series)
    ),
  others: 'sum',
};

const mostFailures: RankSignal = {
  describe: 'most regeneration failures in the range',
  // topk(N, sum by (node) (increase(ciliumscope_endpoint_regenerations_total{outcome="failure"}[range])))
  score: scoreBy('sum', { where: (l) => l.outcome === undefined || l.outcome === 'failure' }),
  others: 'sum',
};

const slowest: RankSignal = {
  describe: 'slowest in the range',
  // topk(N, max_over_time(<series>[range]))
  score: scoreBy('max', { across: 'max' }),
  others: 'max',
};

/** The rank signal of a query, or null where it has none (a table, a cluster-only view). */
export const RANK_SIGNALS: Record<QueryType, (query: ScopeQuery) => RankSignal | null> = {
  endpoints: () => notReady,
  podEndpointDelta: () => largestDelta,
  unmanagedPods: (q) =>
    q.view === 'count' ? { describe: 'most unmanaged pods in the range', score: scoreBy('max'), others: 'sum' } : null,
  regeneration: (q) =>
    q.view === 'rate' || q.view === 'failures'
      ? mostFailures
      : // The highest quantile asked for, at its worst in the range; quantiles of different nodes do not add up.
        { describe: 'slowest regenerations in the range', score: scoreBy('max', { across: 'max' }), others: null },
  packetFlow: () => ({
    describe: 'most dropped traffic in the range',
    // topk(N, sum by (node) (increase(ciliumscope_dropped_packets_total[range])))
    score: scoreBy('mean', { where: (l) => l.verdict === 'dropped' }),
    others: 'sum',
  }),
  drops: (q) =>
    q.view === 'topNodes'
      ? null
      : { describe: 'highest drop rate in the range', score: scoreBy('mean'), others: 'sum' },
  policy: (q) => {
    switch (q.view) {
      case 'revision':
        // Levels differ between agents (each counts from its own start); the steps do not.
        return {
          describe: 'fewest policy revisions applied in the range',
          score: (series) =>
            -Math.max(
              0,
              ...series.map((s) => (reduceOver(s.values, 'last') ?? 0) - (reduceOver(s.values, 'first') ?? 0))
            ),
          others: null,
        };
      case 'revisionSkew':
        return {
          describe: 'furthest behind the newest policy revision in the range',
          score: scoreBy('max', { across: 'max' }),
          others: null,
        };
      case 'importErrors':
        return { describe: 'most policy import errors in the range', score: scoreBy('sum'), others: 'sum' };
      case 'enforcement':
        return {
          describe: 'most endpoints without policy enforcement',
          score: scoreBy('last', { where: (l) => l.enforcement === 'none' }),
          others: 'sum',
        };
      default:
        // Policies are cluster objects: a node with fewer than the others has not imported them all.
        return {
          describe: 'fewest policies in the range',
          score: scoreBy('min', { across: 'max', sign: -1 }),
          others: null,
        };
    }
  },
  agentHealth: (q) => {
    switch (q.view) {
      case 'up':
        return { describe: 'longest down in the range', score: (series) => -scoreBy('sum')(series), others: null };
      case 'scrapeDuration':
        return { ...slowest, describe: 'slowest scrapes in the range' };
      default:
        return null;
    }
  },
  anomaly: (q) =>
    q.view === 'scores' || q.view === 'summary'
      ? null
      : {
          describe: 'highest drop anomaly score in the range',
          score: scoreBy('max', { where: (l) => l.series === 'score', across: 'max' }),
          others: null,
        },
};
