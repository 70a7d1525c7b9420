/**
 * The table of query types: what each query type and view reads from the history, written as the PromQL the
 * Prometheus backend sends (the embedded backend evaluates the same expressions on its rings). The exact strings
 * for every type and view are pinned in test/unit/http/promql-table.test.ts. In the PromQL below:
 *
 *   <w> the rate window max(step + interval, 4 × interval)   <l> the gauge lookback max(5m, 2 × interval)
 *   <by> node, when the query groups by node   {…} the request's filters, escaped
 *
 *   <pair> source_namespace, source_workload, destination_namespace, destination_workload, reason, direction
 *   <side> a pair's source (or, in a second expression, its destination) in the namespace and workload filters
 *   (the workloadDrops rows and the workload variables are WORKLOAD_TABLE, in workload-table.ts)
 *
 * Everything is evaluated on the request's step grid (or at its last point), so no expression loads more than a
 * window of samples per series at a time, whatever the range: a 30-day ranking is the points' rates or maxima
 * combined, not one 30-day window. Rankings go by node first and fetch details only for the nodes that can rank.
 *
 * | type / view                   | PromQL                                                                          |
 * |-------------------------------|---------------------------------------------------------------------------------|
 * | endpoints                     | sum by (<by>, state) (last_over_time(ciliumscope_endpoints{node, state}[<l>]))  |
 * | endpoints / notReady          | sum by (node) (last_over_time(ciliumscope_endpoints{node, state!~"ready|disconnecting|disconnected"}[<l>])), 0 where count by (node) (…) reports endpoints; summed and stuck (fewest over 10 min) by the handler; for the cluster at a step of 10 min or more, sum (…) and count (…) |
 * | podEndpointDelta              | sum by (<by>) (last_over_time(ciliumscope_pods / _pod_endpoints / _endpoint_pod_delta{node}[<l>])) |
 * | podEndpointDelta / delta      | sum by (<by>) (last_over_time(ciliumscope_endpoint_pod_delta{node}[<l>]))         |
 * | unmanagedPods / count         | sum by (<by>) (last_over_time(ciliumscope_unmanaged_pods{node}[<l>]))            |
 * | regeneration / rate           | sum by (<by>, outcome) (rate(ciliumscope_endpoint_regenerations_total{node}[<w>])) |
 * | regeneration / failures       | sum by (<by>) (rate(ciliumscope_endpoint_regenerations_total{node, outcome="failure"}[<w>])) |
 * | regeneration / latency        | histogram_quantile(q, sum by (<by>, le) (rate(ciliumscope_endpoint_regeneration_seconds_bucket{node}[<w>]))) |
 * | packetFlow                    | sum by (<by>, direction) (rate(ciliumscope_{forwarded,dropped}_{packets,bytes}_total{node, direction}[<w>])) |
 * | drops / rate                  | sum by (<by>, direction, reason) (rate(ciliumscope_dropped_{packets,bytes}_total{node, direction, reason}[<w>])) |
 * | drops / topNodes              | ranked (as topN below) by avg_over_time of sum by (node) (rate(ciliumscope_dropped_{packets,bytes}_total{…}[<w>])) over the grid's points; then sum by (node, reason) (…) for the top nodes |
 * | policy / count, revision      | sum by (node) (last_over_time(ciliumscope_policies{node}[<l>])), or max and min over nodes |
 * | policy / revisionSkew         | sum by (node) (last_over_time(ciliumscope_policy_max_revision{node}[<l>])); the skew (changes applied since the range's start, newest minus each) by the handler |
 * | policy / importErrors         | sum by (<by>) (increase(ciliumscope_policy_import_errors_total{node}[<w>]))     |
 * | policy / importErrorsInRange  | sum by (<by>) (increase(ciliumscope_policy_import_errors_total{node}[<range>])), at the end of the range |
 * | policy / enforcement          | sum by (<by>, enforcement) (last_over_time(ciliumscope_policy_enforcement_endpoints{node}[<l>])) |
 * | agentHealth / up              | max by (node, component) (last_over_time(ciliumscope_target_up{node}[<l>])), or sum and count |
 * | agentHealth / scrapeDuration  | max by (<by>, component) (max_over_time(ciliumscope_target_scrape_duration_seconds{node, component=~"agent|operator"}[<w>])) |
 * | agentHealth / status, versions | the cluster view (model/view.ts): the exporter's targets, or the target series in Prometheus |
 * | anomaly / bands               | ranked by max by (node) (max_over_time(ciliumscope_drop_anomaly_score{…}[<w>])), then by (node, direction, reason) for the top nodes; then per series the drop rate, last baseline and upper band, and max score per window |
 * | anomaly / scores (at the end) | last score, baseline, upper band, warm-up, and the drop rate over <w>             |
 * | anomaly / summary             | sum (rate(ciliumscope_dropped_packets_total{…}[<w>])), sum of last baseline and upper band, count (last score >= 1) out of count (last score) |
 * | topN (per node)               | the query's rank signal (RANKS below) reduced over the range, at its end: R >= scalar(min(topk(N, R))) with R = max_over_time((<signal>)[<range>:<step>]) (or min, avg; bottomk), Prometheus asked for R alone and the top kept by the backend; then the panel's expressions with {node=~"<top>"}, and for "other nodes" its cluster expressions with {node!~"<top>"} |
 * | workloadDrops / pairs         | R >= scalar(min(topk(N, R))) > 0 with R = avg_over_time((sum by (<pair>) (rate(ciliumscope_workload_dropped_packets_total{node, direction, reason, source_workload!="(other)", <side>}[<w>])))[<range>:<step>]), one per side; then sum by (<pair>) (rate(…{<the top pairs' values>}[<w>])), the exact pairs kept; others: sum (rate(…{<side>}[<w>])) per side, less both sides, less the top |
 * | workloadDrops / table         | the same ranking by (node, <pair>), its scores the mean rates; each row's node: the same by (node) over every pair of the node, k = its nodes |
 * | variables                     | count by (source_namespace, source_workload) (last_over_time(ciliumscope_workload_dropped_packets_total{source_namespace=~…}[<window>])), and the same for destination |
 * | unmanagedPods                 | the exporter's own Kubernetes join (no history)                                  |
 * | annotations                   | sum by (node) (last_over_time(x[<l>]) - last_over_time(x[<l>] offset <step>)) > 0 for import errors and restarts; max by (node, direction, reason) (last_over_time(score[<l>])) >= 1 for anomalies |
 */
import type { AnnotationKind, QueryType, ScopeQuery } from '../../../src/contract';
import { QUERY_TYPES } from '../../../src/queryCatalog';
import {
  type Aggregation,
  type Expr,
  type Quantile,
  type RangeReduction,
  type Selector,
  above,
  atLeast,
  eachAtLeast,
  countBy,
  eq,
  increase,
  last,
  matcher,
  maxBy,
  maxOver,
  minBy,
  notIn,
  over,
  quantile,
  rate,
  selector,
  stepChange,
  sumBy,
} from '../../history/expr';
import { type StepGrid, rateWindowMs } from '../../history/grid';
import { SERIES } from '../../model/series';
import { filterSet } from './validate';

/** Named expressions a query evaluates together. */
export type Reads = Record<string, Expr>;

/** The labels that identify a drop series (and its anomaly state). */
export const DROP_KEY = ['node', 'direction', 'reason'] as const;

type Filtered = 'node' | 'direction' | 'reason' | 'state';
export const filters = (q: ScopeQuery, ...labels: Filtered[]) => labels.map((l) => matcher(l, filterSet(q[l])));
const split = (q: ScopeQuery, ...others: string[]) => (q.groupBy === 'node' ? ['node', ...others] : others);
const packetsOrBytes = (q: ScopeQuery, packets: string, bytes: string) => (q.unit === 'bytes' ? bytes : packets);

/** The quantiles of a regeneration latency query: its own, or the view's default. */
export const latencyQuantiles = (q: ScopeQuery): readonly number[] =>
  q.quantiles ?? QUERY_TYPES.regeneration.views.latency.options.quantiles;

/** Endpoint states of a normal lifecycle: every other state is "not ready" (the endpoints-not-ready alert's too). */
export const NORMAL_ENDPOINT_STATES = ['ready', 'disconnecting', 'disconnected'];

export const TABLE = {
  endpoints: (q: ScopeQuery): Reads => ({
    states: sumBy(split(q, 'state'), last(selector(SERIES.endpoints, ...filters(q, 'node', 'state')))),
  }),

  /**
   * Not ready, and whether any endpoint was reported: per node (the handler sums them, and finds the stuck ones),
   * or for the cluster (`by` []) where no node's series is needed.
   */
  endpointsNotReady: (q: ScopeQuery, by: readonly string[] = ['node']): Reads => ({
    notReady: notReadySignal(q, by),
    reported: countBy(by, last(selector(SERIES.endpoints, ...filters(q, 'node', 'state')))),
  }),

  podEndpointDelta: (q: ScopeQuery): Reads => {
    const gauge = (metric: string) => sumBy(split(q), last(selector(metric, ...filters(q, 'node'))));
    return {
      pods: gauge(SERIES.pods),
      podEndpoints: gauge(SERIES.podEndpoints),
      delta: gauge(SERIES.endpointPodDelta),
    };
  },

  unmanagedPodCount: (q: ScopeQuery): Reads => ({
    unmanaged: sumBy(split(q), last(selector(SERIES.unmanagedPods, ...filters(q, 'node')))),
  }),

  regenerationFailures: (q: ScopeQuery): Reads => ({
    failures: sumBy(split(q), rate(failedRegenerations(q))),
  }),

  regenerationRate: (q: ScopeQuery): Reads => ({
    rate: sumBy(split(q, 'outcome'), rate(selector(SERIES.regenerations, ...filters(q, 'node')))),
  }),

  /** One expression per quantile, named by its position in the list. */
  regenerationLatency: (q: ScopeQuery): Reads =>
    Object.fromEntries(
      latencyQuantiles(q).map((p, i) => [
        String(i),
        quantile(p, split(q), selector(SERIES.regenerationBuckets, ...filters(q, 'node'))),
      ])
    ),

  packetFlow: (q: ScopeQuery): Reads => {
    const flow = (metric: string) =>
      sumBy(split(q, 'direction'), rate(selector(metric, ...filters(q, 'node', 'direction'))));
    return {
      forwarded: flow(packetsOrBytes(q, SERIES.forwardedPackets, SERIES.forwardedBytes)),
      dropped: flow(packetsOrBytes(q, SERIES.droppedPackets, SERIES.droppedBytes)),
    };
  },

  dropRates: (q: ScopeQuery): Reads => ({
    drops: sumBy(
      split(q, 'direction', 'reason'),
      rate(selector(dropped(q), ...filters(q, 'node', 'direction', 'reason')))
    ),
  }),

  /** Each node's drop rate, averaged over the points by the caller: the nodes that drop most. */
  dropTopNodes: (q: ScopeQuery): { perNode: Aggregation } => ({
    perNode: sumBy(['node'], rate(selector(dropped(q), ...filters(q, 'node', 'direction', 'reason')))),
  }),

  /** The same by reason, for the top nodes only. */
  dropTopReasons: (q: ScopeQuery, nodes: string[]): Reads => ({
    perReason: sumBy(
      ['node', 'reason'],
      rate(selector(dropped(q), matcher('node', nodes), ...filters(q, 'direction', 'reason')))
    ),
  }),

  /** Per node, or (cluster-wide) the max and min over nodes: policies are cluster objects every agent loads. */
  policyGauge: (q: ScopeQuery, metric: typeof SERIES.policies | typeof SERIES.policyMaxRevision): Reads => {
    const s = selector(metric, ...filters(q, 'node'));
    return q.groupBy === 'node'
      ? { perNode: sumBy(['node'], last(s)) }
      : { max: maxBy([], last(s)), min: minBy([], last(s)) };
  },

  policyImportErrors: (q: ScopeQuery): Reads => ({
    errors: sumBy(split(q), increase(importErrors(q))),
  }),

  /** Over the whole range (window from the grid's start to its end), evaluated at its end. */
  policyImportErrorsInRange: (q: ScopeQuery, grid: StepGrid, end: number): Reads => ({
    errors: sumBy(split(q), over('increase', importErrors(q), Math.max(end - grid.from, rateWindowMs(grid)))),
  }),

  policyEnforcement: (q: ScopeQuery): Reads => ({
    modes: sumBy(split(q, 'enforcement'), last(selector(SERIES.enforcement, ...filters(q, 'node')))),
  }),

  /** Per target, or targets up (the sum) out of all targets (the count). */
  agentUp: (q: ScopeQuery): Reads => {
    const s = selector(SERIES.up, ...filters(q, 'node'));
    return q.groupBy === 'node'
      ? { perTarget: maxBy(['node', 'component'], last(s)) }
      : { up: sumBy([], last(s)), targets: countBy([], last(s)) };
  },

  /** Agents and the operator (a node's Hubble metrics target is in the status's `hubble` and on /metrics). */
  scrapeDuration: (q: ScopeQuery): Reads => ({
    slowest: maxBy(split(q, 'component'), maxOver(scrapeDurations(q))),
  }),

  /** Agents (one per node) at the end of the range, for "other nodes (K)". */
  agentCount: (q: ScopeQuery): Reads => ({
    agents: countBy([], last(selector(SERIES.up, eq('component', 'agent'), ...filters(q, 'node')))),
  }),

  /** The drop series most worth seeing, by their highest score in the range: first the nodes, ... */
  anomalyNodeRanking: (q: ScopeQuery): { perNode: Aggregation } => ({
    perNode: maxBy(['node'], maxOver(selector(SERIES.dropAnomalyScore, ...filters(q, 'node', 'direction', 'reason')))),
  }),

  /** ... then the series of the top nodes. */
  anomalySeriesRanking: (q: ScopeQuery, nodes: string[]): Reads => ({
    perSeries: maxBy(
      DROP_KEY,
      maxOver(selector(SERIES.dropAnomalyScore, matcher('node', nodes), ...filters(q, 'direction', 'reason')))
    ),
  }),

  /** The bands of some drop series, selected by node, direction and reason (the caller keeps the exact ones). */
  anomalyBands: (only: { node: string[]; direction: string[]; reason: string[] }): Reads => {
    const s = (metric: string) =>
      selector(
        metric,
        matcher('node', only.node),
        matcher('direction', only.direction),
        matcher('reason', only.reason)
      );
    return {
      rate: sumBy(DROP_KEY, rate(s(SERIES.droppedPackets))),
      baseline: maxBy(DROP_KEY, last(s(SERIES.dropRateBaseline))),
      upperBand: maxBy(DROP_KEY, last(s(SERIES.dropRateUpperBand))),
      score: maxBy(DROP_KEY, maxOver(s(SERIES.dropAnomalyScore))),
    };
  },

  /** Summed over the selected drop series: the rate, the detector's baselines and bands, and how many are anomalous. */
  anomalySummary: (q: ScopeQuery): Reads => {
    const s = (metric: string) => selector(metric, ...filters(q, 'node', 'direction', 'reason'));
    return {
      rate: sumBy([], rate(s(SERIES.droppedPackets))),
      baseline: sumBy([], last(s(SERIES.dropRateBaseline))),
      upperBand: sumBy([], last(s(SERIES.dropRateUpperBand))),
      anomalous: eachAtLeast(1, countBy([], last(s(SERIES.dropAnomalyScore)))),
      scored: countBy([], last(s(SERIES.dropAnomalyScore))),
    };
  },

  /** Evaluated once, at the end of the range. */
  anomalyScores: (q: ScopeQuery): Reads => {
    const s = (metric: string) => selector(metric, ...filters(q, 'node', 'direction', 'reason'));
    return {
      score: maxBy(DROP_KEY, last(s(SERIES.dropAnomalyScore))),
      baseline: maxBy(DROP_KEY, last(s(SERIES.dropRateBaseline))),
      upperBand: maxBy(DROP_KEY, last(s(SERIES.dropRateUpperBand))),
      rate: sumBy(DROP_KEY, rate(s(SERIES.droppedPackets))),
      warmingUp: maxBy(['node'], last(selector(SERIES.dropAnomalyWarmingUp, ...filters(q, 'node')))),
    };
  },
};

function dropped(q: ScopeQuery): string {
  return packetsOrBytes(q, SERIES.droppedPackets, SERIES.droppedBytes);
}

/** The scrape components the agent panels show. */
export const AGENT_COMPONENTS = ['agent', 'operator'];
const scrapeDurations = (q: ScopeQuery) =>
  selector(SERIES.scrapeDurationSeconds, ...filters(q, 'node'), matcher('component', AGENT_COMPONENTS));

const importErrors = (q: ScopeQuery) => selector(SERIES.policyImportErrors, ...filters(q, 'node'));
const failedRegenerations = (q: ScopeQuery) =>
  selector(SERIES.regenerations, ...filters(q, 'node'), eq('outcome', 'failure'));

function notReadySignal(q: ScopeQuery, by: readonly string[] = ['node']): Aggregation {
  return sumBy(
    by,
    last(selector(SERIES.endpoints, ...filters(q, 'node', 'state'), notIn('state', NORMAL_ENDPOINT_STATES)))
  );
}

/**
 * What "the top N nodes" of a query means: a signal with one series per node, reduced over the range (`over`),
 * the highest (`topk`) or lowest (`bottomk`) first, ties by node name. `others` says how the query's own cluster
 * view combines the nodes outside the top N ("summed", ...), null where it has no "other nodes" series.
 */
export interface RankSpec {
  signal: Aggregation | Quantile;
  over: RangeReduction;
  order: 'topk' | 'bottomk';
  describe: string;
  others: string | null;
}

const rank = (
  signal: RankSpec['signal'],
  over: RangeReduction,
  describe: string,
  others: string | null = 'summed',
  order: RankSpec['order'] = 'topk'
): RankSpec => ({
  signal,
  over,
  order,
  describe,
  others,
});

/**
 * The rank signal of each query with one series per node; null where there is none (tables, cluster-only views)
 * or where the handler ranks by itself (policy revisionSkew, from every node's revision; anomaly bands, by score).
 * A `Record` over the query types, so a new type does not compile until it says how it ranks.
 */
export const RANKS: Record<QueryType, (q: ScopeQuery) => RankSpec | null> = {
  endpoints: (q) => rank(notReadySignal(q), 'max', 'endpoints not ready (most at any point in the range)'),
  podEndpointDelta: (q) =>
    rank(
      sumBy(['node'], last(selector(SERIES.endpointPodDelta, ...filters(q, 'node')))),
      'max',
      'largest pod/endpoint delta in the range'
    ),
  unmanagedPods: (q) =>
    q.view === 'count'
      ? rank(
          sumBy(['node'], last(selector(SERIES.unmanagedPods, ...filters(q, 'node')))),
          'max',
          'most unmanaged pods in the range'
        )
      : null,
  regeneration: (q) =>
    q.view === 'rate' || q.view === 'failures'
      ? rank(sumBy(['node'], rate(failedRegenerations(q))), 'avg', 'most regeneration failures in the range')
      : rank(
          quantile(
            Math.max(...latencyQuantiles(q)),
            ['node'],
            selector(SERIES.regenerationBuckets, ...filters(q, 'node'))
          ),
          'max',
          'slowest regenerations in the range (the highest quantile at its highest)',
          'their buckets as one histogram'
        ),
  packetFlow: (q) =>
    rank(
      sumBy(['node'], rate(selector(dropped(q), ...filters(q, 'node', 'direction')))),
      'avg',
      'most dropped traffic in the range'
    ),
  drops: (q) =>
    q.view === 'topNodes'
      ? null
      : rank(
          sumBy(['node'], rate(selector(dropped(q), ...filters(q, 'node', 'direction', 'reason')))),
          'avg',
          'highest drop rate in the range'
        ),
  policy: (q) => {
    const gauge = (metric: string) => sumBy(['node'], last(selector(metric, ...filters(q, 'node'))));
    switch (q.view ?? QUERY_TYPES.policy.defaultView) {
      case 'revisionSkew':
        return null;
      case 'revision':
        return rank(
          gauge(SERIES.policyMaxRevision),
          'min',
          'lowest policy revision in the range',
          'their highest and lowest',
          'bottomk'
        );
      case 'importErrors':
      case 'importErrorsInRange':
        return rank(sumBy(['node'], increase(importErrors(q))), 'avg', 'most policy import errors in the range');
      case 'enforcement':
        return rank(
          sumBy(['node'], last(selector(SERIES.enforcement, ...filters(q, 'node'), eq('enforcement', 'none')))),
          'max',
          'most endpoints without policy enforcement in the range'
        );
      default:
        return rank(
          gauge(SERIES.policies),
          'min',
          'fewest policies in the range',
          'their highest and lowest',
          'bottomk'
        );
    }
  },
  agentHealth: (q) => {
    const s = (metric: string) => selector(metric, ...filters(q, 'node'));
    switch (q.view) {
      case 'up':
        return rank(
          minBy(['node'], last(s(SERIES.up))),
          'avg',
          'least time up in the range',
          'targets up and down',
          'bottomk'
        );
      case 'scrapeDuration':
        return rank(
          maxBy(['node'], maxOver(scrapeDurations(q))),
          'max',
          'slowest scrapes in the range',
          'the slowest of them'
        );
      default:
        return null;
    }
  },
  anomaly: () => null,
  // Ranks workload pairs, not nodes (WORKLOAD_TABLE.ranking).
  workloadDrops: () => null,
};

/**
 * Annotation kinds: where a counter went up within a step, or where the anomaly score was 1 or more. Only those
 * points are asked for (a 30-day range over 1,000 nodes is 3.5 M scores, a few thousand of them at 1 or more).
 */
export const ANNOTATIONS: Record<AnnotationKind, (nodes: Selector['matchers']) => Expr> = {
  policyImportErrors: (nodes: Selector['matchers']) =>
    above(0, sumBy(['node'], stepChange(selector(SERIES.policyImportErrors, ...nodes)))),
  agentRestarts: (nodes: Selector['matchers']) =>
    above(0, sumBy(['node'], stepChange(selector(SERIES.agentRestarts, ...nodes)))),
  dropAnomalies: (nodes: Selector['matchers']) =>
    atLeast(1, maxBy(DROP_KEY, last(selector(SERIES.dropAnomalyScore, ...nodes)))),
};
