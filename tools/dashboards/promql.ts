/**
 * The Prometheus dashboard's queries: the target as Grafana's Prometheus datasource stores it, and the PromQL shapes
 * of its panels. Per-node panels show the top $topn nodes by a rank computed over the whole range and fixed at its
 * end (`@ end()`), so the same nodes are drawn at every step and from one refresh to the next while the range holds,
 * and the rest as "other nodes". Every expression is checked with promtool by the dashboard tests.
 */
import type { Json } from './grafana';
import { TOP_N } from './ids';

export interface PromTarget {
  refId: string;
  expr: string;
  /** Unset: the panel's `named` value where it has one, else Grafana's automatic legend. */
  legendFormat?: string;
  /** A table of the latest values instead of a range. */
  instant?: boolean;
}

export function promTarget(t: PromTarget): Json {
  return {
    refId: t.refId,
    expr: t.expr,
    legendFormat: t.legendFormat ?? '__auto',
    range: !t.instant,
    instant: Boolean(t.instant),
    format: t.instant ? 'table' : 'time_series',
    editorMode: 'code',
  };
}

export const NODE = 'node=~"$node"';
export const DIRECTION = 'direction=~"$direction"';
export const REASON = 'reason=~"$reason"';
const TOPN = `$${TOP_N.variable}`;

/** Endpoints out of ready (disconnecting ones are leaving), per series of ciliumscope_endpoints. */
export const NOT_READY = `ciliumscope_endpoints{${NODE}, state!~"ready|disconnecting|disconnected"}`;

/**
 * Endpoints stuck out of ready: each node's fewest not ready over the last ten minutes, summed, as the
 * endpoints-not-ready alert counts them (the ones a regeneration or a new pod passes through do not stay).
 */
export const STUCK_NOT_READY = `sum(min_over_time((sum by (node) (${NOT_READY}))[10m:$__interval])) or vector(0)`;

export const TARGETS_UP = `count(ciliumscope_target_up{${NODE}} == 1) or vector(0)`;
export const TARGETS_DOWN = `count(ciliumscope_target_up{${NODE}} == 0) or vector(0)`;
/** Agents and the operator: a node's Hubble metrics target is not one of the agent panels' targets. */
export const SCRAPE_DURATION = `ciliumscope_target_scrape_duration_seconds{${NODE}, component=~"agent|operator"}`;
export const IMPORT_ERRORS = `ciliumscope_policy_import_errors_total{${NODE}}`;
/** The selected nodes, directions and reasons, for the series of drops and their anomaly detector. */
export const DROP_SELECTOR = `{${NODE}, ${DIRECTION}, ${REASON}}`;
export const DROPS = `ciliumscope_dropped_packets_total${DROP_SELECTOR}`;

/** Quantile `q` of endpoint regeneration time over the selected nodes. */
export const regenerationQuantile = (q: number) =>
  `histogram_quantile(${q}, sum by (le) (rate(ciliumscope_endpoint_regeneration_seconds_bucket{${NODE}}[$__rate_interval])))`;

/** `expr` reduced over the whole range, evaluated once at its end: a subquery for an expression, e.g. a sum. */
export function overRange(fn: 'max' | 'min' | 'sum', expr: string): string {
  return `${fn}_over_time((${expr})[$__range:$__interval] @ end())`;
}

/** The top-$topn selector of a rank (one value per node); `bottom` keeps the lowest. */
function selection(rank: string, bottom = false): string {
  return `${bottom ? 'bottomk' : 'topk'}(${TOPN}, ${rank})`;
}

/** `expr` (one series per node) for the $topn nodes that rank highest (or lowest) by `rank` over the range. */
export function topNodes(expr: string, rank: string, bottom = false): string {
  return `${expr} and on (node) ${selection(rank, bottom)}`;
}

/** `expr` without the top nodes, combined by `how` per the labels `by` (nothing: one series). */
export function otherNodes(expr: string, rank: string, how: 'sum' | 'max' = 'sum', by: string[] = []): string {
  return `${how}${by.length ? ` by (${by.join(', ')})` : ''} (${expr} unless on (node) ${selection(rank)})`;
}

/**
 * The queries of a per-node panel: A the cluster aggregate, B the $topn nodes of `perNode` by `rank` over the range,
 * C the rest combined (where a combination means something).
 */
export function clusterAndTopNodes(o: {
  cluster: string;
  clusterLegend: string;
  perNode: string;
  rank: string;
  nodeLegend: string;
  others?: { how: 'sum' | 'max'; by?: string[]; legend: string };
}): PromTarget[] {
  const targets: PromTarget[] = [
    { refId: 'A', expr: o.cluster, legendFormat: o.clusterLegend },
    { refId: 'B', expr: topNodes(o.perNode, o.rank), legendFormat: o.nodeLegend },
  ];
  if (o.others) {
    const expr = otherNodes(o.perNode, o.rank, o.others.how, o.others.by);
    targets.push({ refId: 'C', expr, legendFormat: o.others.legend });
  }
  return targets;
}

/**
 * A counter per step (`rate` per second, or `increase` per rate window) of the cluster and of the $topn nodes whose
 * counter increased most over the range, and the others summed; the series are named "{{node}} <name>".
 */
export function counterTopNodes(
  counter: string,
  fn: 'rate' | 'increase',
  legends: { cluster: string; name: string }
): PromTarget[] {
  return clusterAndTopNodes({
    cluster: `sum(${fn}(${counter}[$__rate_interval]))`,
    clusterLegend: legends.cluster,
    perNode: `sum by (node) (${fn}(${counter}[$__rate_interval]))`,
    rank: `sum by (node) (increase(${counter}[$__range] @ end()))`,
    nodeLegend: `{{node}} ${legends.name}`,
    others: { how: 'sum', legend: `other nodes ${legends.name}` },
  });
}

/**
 * Policy changes each node applied since the start of the range, at every step: the revision's increases between
 * steps (a drop, an agent restarting and counting from its own start again, adds nothing), summed over the range
 * with the steps before its start left out.
 */
export function appliedPolicyChanges(): string {
  const revision = `max by (node) (ciliumscope_policy_max_revision{${NODE}})`;
  const previous = `max by (node) (ciliumscope_policy_max_revision{${NODE}} offset $__interval)`;
  const increases = `clamp_min(${revision} - ${previous}, 0) and on () (vector(time()) > \${__from:date:seconds})`;
  return `sum_over_time((${increases})[$__range:$__interval])`;
}

/** How many policy changes each node is behind the node that applied the most since the start of the range. */
export function revisionSkew(): string {
  const applied = appliedPolicyChanges();
  return `max(${applied}) - on () group_right ${applied}`;
}

/**
 * A per-target series for the 50 targets most in need of attention: down first, then stale, then the slowest
 * scrapes (one score orders them: down weighs a million, stale a thousand, the scrape its seconds).
 */
export function worstTargets(series: string): string {
  const target = (s: string) => `max by (node, component) (${s})`;
  const score =
    `(1 - ${target(`ciliumscope_target_up{${NODE}}`)}) * 1e6 + ${target(`ciliumscope_target_stale{${NODE}}`)} * 1e3 + ` +
    target(SCRAPE_DURATION);
  return `${target(series)} and on (node, component) topk(50, ${score})`;
}

/**
 * The five drop series with the highest anomaly score over the range, fixed at the range's end (`@ end()`) so the
 * same series are drawn across the whole graph.
 */
export const TOP_ANOMALIES = `topk(5, max_over_time(ciliumscope_drop_anomaly_score${DROP_SELECTOR}[$__range] @ end()))`;
