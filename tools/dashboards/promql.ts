/**
 * PromQL shapes of the Prometheus dashboard's per-node panels: the top $topn nodes by a rank computed over the whole
 * range and fixed at its end (`@ end()`), so the same nodes are drawn at every step and from one refresh to the next
 * while the range holds; the rest as "other nodes"; and the policy revision skew.
 */
import { TOP_N } from './ids';

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
