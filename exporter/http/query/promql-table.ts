/**
 * The table of query types: what each query type and view reads from the history, written as the PromQL the
 * Prometheus backend sends (the embedded backend evaluates the same expressions on its rings). The exact strings
 * for every type and view are pinned in test/unit/http/promql-table.test.ts. In the PromQL below:
 *
 *   <w> the rate window max(step + interval, 4 × interval)   <l> the gauge lookback max(5m, 2 × interval)
 *   <by> node, when the query groups by node   {…} the request's filters, escaped
 *
 * Everything is evaluated on the request's step grid (or at its last point), so no expression loads more than a
 * window of samples per series at a time, whatever the range: a 30-day ranking is the points' rates or maxima
 * combined, not one 30-day window. Rankings go by node first and fetch details only for the nodes that can rank.
 *
 * | type / view                   | PromQL                                                                          |
 * |-------------------------------|---------------------------------------------------------------------------------|
 * | endpoints                     | sum by (<by>, state) (last_over_time(ciliumscope_endpoints{node, state}[<l>]))  |
 * | podEndpointDelta              | sum by (<by>) (last_over_time(ciliumscope_pods / _pod_endpoints / _endpoint_pod_delta{node}[<l>])) |
 * | regeneration / rate           | sum by (<by>, outcome) (rate(ciliumscope_endpoint_regenerations_total{node}[<w>])) |
 * | regeneration / latency        | histogram_quantile(q, sum by (<by>, le) (rate(ciliumscope_endpoint_regeneration_seconds_bucket{node}[<w>]))) |
 * | packetFlow                    | sum by (<by>, direction) (rate(ciliumscope_{forwarded,dropped}_{packets,bytes}_total{node, direction}[<w>])) |
 * | drops / rate                  | sum by (<by>, direction, reason) (rate(ciliumscope_dropped_{packets,bytes}_total{node, direction, reason}[<w>])) |
 * | drops / topNodes              | sum by (node) (rate(ciliumscope_dropped_{packets,bytes}_total{…}[<w>])), averaged over the points; then sum by (node, reason) (…) for the top nodes |
 * | policy / count, revision      | sum by (node) (last_over_time(ciliumscope_policies{node}[<l>])), or max and min over nodes |
 * | policy / importErrors         | sum by (<by>) (increase(ciliumscope_policy_import_errors_total{node}[<w>]))     |
 * | policy / enforcement          | sum by (<by>, enforcement) (last_over_time(ciliumscope_policy_enforcement_endpoints{node}[<l>])) |
 * | agentHealth / up              | max by (node, component) (last_over_time(ciliumscope_target_up{node}[<l>])), or sum and count |
 * | agentHealth / scrapeDuration  | max by (<by>, component) (max_over_time(ciliumscope_target_scrape_duration_seconds{node}[<w>])) |
 * | agentHealth / status          | the cluster view (model/view.ts): the exporter's targets, or the target series in Prometheus |
 * | anomaly / bands               | ranked by max by (node) (max_over_time(ciliumscope_drop_anomaly_score{…}[<w>])), then by (node, direction, reason) for the top nodes; then per series the drop rate, last baseline and upper band, and max score per window |
 * | anomaly / scores (at the end) | last score, baseline, upper band, warm-up, and the drop rate over <w>             |
 * | unmanagedPods                 | the exporter's own Kubernetes join (no history)                                  |
 * | annotations                   | sum by (node) (last_over_time(x[<l>]) - last_over_time(x[<l>] offset <step>)) for import errors and restarts; last score ≥ 1 for anomalies |
 */
import type { ScopeQuery } from '../../../src/contract';
import {
  type Expr,
  type Selector,
  countBy,
  increase,
  last,
  matcher,
  maxBy,
  maxOver,
  minBy,
  quantile,
  rate,
  selector,
  stepChange,
  sumBy,
} from '../../history/expr';
import { SERIES } from '../../model/series';
import { filterSet } from './validate';

/** Named expressions a query evaluates together. */
export type Reads = Record<string, Expr>;

/** The labels that identify a drop series (and its anomaly state). */
export const DROP_KEY = ['node', 'direction', 'reason'] as const;

type Filtered = 'node' | 'direction' | 'reason' | 'state';
const filters = (q: ScopeQuery, ...labels: Filtered[]) => labels.map((l) => matcher(l, filterSet(q[l])));
const split = (q: ScopeQuery, ...others: string[]) => (q.groupBy === 'node' ? ['node', ...others] : others);
const packetsOrBytes = (q: ScopeQuery, packets: string, bytes: string) => (q.unit === 'bytes' ? bytes : packets);

export const DEFAULT_QUANTILES = [0.5, 0.9, 0.99];

export const TABLE = {
  endpoints: (q: ScopeQuery): Reads => ({
    states: sumBy(split(q, 'state'), last(selector(SERIES.endpoints, ...filters(q, 'node', 'state')))),
  }),

  podEndpointDelta: (q: ScopeQuery): Reads => {
    const gauge = (metric: string) => sumBy(split(q), last(selector(metric, ...filters(q, 'node'))));
    return { pods: gauge(SERIES.pods), podEndpoints: gauge(SERIES.podEndpoints), delta: gauge(SERIES.endpointPodDelta) };
  },

  regenerationRate: (q: ScopeQuery): Reads => ({
    rate: sumBy(split(q, 'outcome'), rate(selector(SERIES.regenerations, ...filters(q, 'node')))),
  }),

  /** One expression per quantile, named by its position in the list. */
  regenerationLatency: (q: ScopeQuery): Reads =>
    Object.fromEntries(
      (q.quantiles ?? DEFAULT_QUANTILES).map((p, i) => [String(i), quantile(p, split(q), selector(SERIES.regenerationBuckets, ...filters(q, 'node')))])
    ),

  packetFlow: (q: ScopeQuery): Reads => {
    const flow = (metric: string) => sumBy(split(q, 'direction'), rate(selector(metric, ...filters(q, 'node', 'direction'))));
    return {
      forwarded: flow(packetsOrBytes(q, SERIES.forwardedPackets, SERIES.forwardedBytes)),
      dropped: flow(packetsOrBytes(q, SERIES.droppedPackets, SERIES.droppedBytes)),
    };
  },

  dropRates: (q: ScopeQuery): Reads => ({
    drops: sumBy(split(q, 'direction', 'reason'), rate(selector(dropped(q), ...filters(q, 'node', 'direction', 'reason')))),
  }),

  /** Each node's drop rate, averaged over the points by the caller: the nodes that drop most. */
  dropTopNodes: (q: ScopeQuery): Reads => ({
    perNode: sumBy(['node'], rate(selector(dropped(q), ...filters(q, 'node', 'direction', 'reason')))),
  }),

  /** The same by reason, for the top nodes only. */
  dropTopReasons: (q: ScopeQuery, nodes: string[]): Reads => ({
    perReason: sumBy(['node', 'reason'], rate(selector(dropped(q), matcher('node', nodes), ...filters(q, 'direction', 'reason')))),
  }),

  /** Per node, or (cluster-wide) the max and min over nodes: policies are cluster objects every agent loads. */
  policyGauge: (q: ScopeQuery, metric: typeof SERIES.policies | typeof SERIES.policyMaxRevision): Reads => {
    const s = selector(metric, ...filters(q, 'node'));
    return q.groupBy === 'node' ? { perNode: sumBy(['node'], last(s)) } : { max: maxBy([], last(s)), min: minBy([], last(s)) };
  },

  policyImportErrors: (q: ScopeQuery): Reads => ({
    errors: sumBy(split(q), increase(selector(SERIES.policyImportErrors, ...filters(q, 'node')))),
  }),

  policyEnforcement: (q: ScopeQuery): Reads => ({
    modes: sumBy(split(q, 'enforcement'), last(selector(SERIES.enforcement, ...filters(q, 'node')))),
  }),

  /** Per target, or targets up (the sum) out of all targets (the count). */
  agentUp: (q: ScopeQuery): Reads => {
    const s = selector(SERIES.up, ...filters(q, 'node'));
    return q.groupBy === 'node' ? { perTarget: maxBy(['node', 'component'], last(s)) } : { up: sumBy([], last(s)), targets: countBy([], last(s)) };
  },

  scrapeDuration: (q: ScopeQuery): Reads => ({
    slowest: maxBy(split(q, 'component'), maxOver(selector(SERIES.scrapeDurationSeconds, ...filters(q, 'node')))),
  }),

  /** The drop series most worth seeing, by their highest score in the range: first the nodes, ... */
  anomalyNodeRanking: (q: ScopeQuery): Reads => ({
    perNode: maxBy(['node'], maxOver(selector(SERIES.dropAnomalyScore, ...filters(q, 'node', 'direction', 'reason')))),
  }),

  /** ... then the series of the top nodes. */
  anomalySeriesRanking: (q: ScopeQuery, nodes: string[]): Reads => ({
    perSeries: maxBy(DROP_KEY, maxOver(selector(SERIES.dropAnomalyScore, matcher('node', nodes), ...filters(q, 'direction', 'reason')))),
  }),

  /** The bands of some drop series, selected by node, direction and reason (the caller keeps the exact ones). */
  anomalyBands: (only: { node: string[]; direction: string[]; reason: string[] }): Reads => {
    const s = (metric: string) => selector(metric, matcher('node', only.node), matcher('direction', only.direction), matcher('reason', only.reason));
    return {
      rate: sumBy(DROP_KEY, rate(s(SERIES.droppedPackets))),
      baseline: maxBy(DROP_KEY, last(s(SERIES.dropRateBaseline))),
      upperBand: maxBy(DROP_KEY, last(s(SERIES.dropRateUpperBand))),
      score: maxBy(DROP_KEY, maxOver(s(SERIES.dropAnomalyScore))),
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

/** Annotation kinds: where a counter went up within a step, or where the anomaly score was 1 or more. */
export const ANNOTATIONS = {
  policyImportErrors: (nodes: Selector['matchers']) => sumBy(['node'], stepChange(selector(SERIES.policyImportErrors, ...nodes))),
  agentRestarts: (nodes: Selector['matchers']) => sumBy(['node'], stepChange(selector(SERIES.agentRestarts, ...nodes))),
  dropAnomalies: (nodes: Selector['matchers']) => maxBy(DROP_KEY, last(selector(SERIES.dropAnomalyScore, ...nodes))),
};
