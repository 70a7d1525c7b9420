/**
 * The Cilium Scope dashboards' queries: the contract's ScopeQuery as Grafana stores it, so a query type or view the
 * exporter does not know fails to compile here.
 */
import type { ScopeQuery } from '../../src/contract';
import { TOP_N } from './ids';

/** The top-N panels' number of nodes: the dashboard's variable. */
export const TOP_N_VAR = `$${TOP_N.variable}` as const;

/** A panel query: the contract's query; topN may be the dashboard's variable. */
export type ScopeTarget = Omit<ScopeQuery, 'topN'> & { topN?: number | typeof TOP_N_VAR };

/** Template variable references as the panels store them. */
export const NODE_VAR = '$node';
export const DIRECTION_VAR = '$direction';
export const REASON_VAR = '$reason';

/** Every drop filter of the dashboard: node, direction, reason. */
export const DROP_FILTERS = { node: NODE_VAR, direction: DIRECTION_VAR, reason: REASON_VAR } as const;

/**
 * The two queries of a per-node panel: A the cluster aggregate, B one series per node for the top $topn nodes by the
 * query's own signal over the range, with the rest as "other nodes" where a sum means something.
 */
export function clusterAndTopNodes(
  query: Omit<ScopeTarget, 'refId' | 'groupBy' | 'topN' | 'others'>,
  others = true
): ScopeTarget[] {
  return [
    { refId: 'A', ...query },
    { refId: 'B', ...query, groupBy: 'node', topN: TOP_N_VAR, ...(others ? { others } : {}) },
  ];
}
