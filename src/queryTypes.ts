import type { QueryType, QueryView, ScopeQuery } from './contract';

/** The multi-value filters of a query; each maps to the ScopeQuery field of the same name. */
export type FilterName = 'node' | 'namespace' | 'workload' | 'direction' | 'reason' | 'state';

/** Settings beside the filters; which apply depends on the query type and its view. */
export type QueryOption = 'groupBy' | 'unit' | 'quantiles' | 'limit' | 'topN';

export interface ViewInfo {
  value: QueryView;
  label: string;
  description: string;
  options: QueryOption[];
}

export interface QueryTypeInfo {
  label: string;
  /** One line for the picker. */
  description: string;
  /** What the type shows, under the picker. */
  help: string;
  filters: FilterName[];
  /** The settings of a type without views (a type with views lists them per view). */
  options: QueryOption[];
  /** Sub-views; the first one is the exporter's default. Empty when the type has a single view. */
  views: ViewInfo[];
}

/**
 * Everything the query editor knows about each query type. A Record over the contract's union: a new query type
 * does not compile until it is described here.
 */
export const QUERY_TYPES: Record<QueryType, QueryTypeInfo> = {
  endpoints: {
    label: 'Endpoint states',
    description: 'Endpoints per state',
    help: 'Cilium endpoints per state (ready, regenerating, waiting-for-identity, ...), host and health included.',
    filters: ['node', 'state'],
    options: [],
    views: [
      { value: 'states', label: 'States', description: 'One series per state', options: ['groupBy', 'topN'] },
      {
        value: 'notReady',
        label: 'Not ready',
        description: 'Endpoints in any state but ready (disconnecting ones left out), summed',
        options: ['groupBy', 'topN'],
      },
    ],
  },
  podEndpointDelta: {
    label: 'Pod / endpoint delta',
    description: 'Pods minus pod endpoints, per node',
    help: 'Pods Kubernetes runs on a node minus the pod endpoints Cilium manages there. Above 0: unmanaged pods.',
    filters: ['node'],
    options: [],
    views: [
      {
        value: 'counts',
        label: 'Counts',
        description: 'Pods, pod endpoints and their delta',
        options: ['groupBy', 'topN'],
      },
      { value: 'delta', label: 'Delta', description: 'Pods minus pod endpoints only', options: ['groupBy', 'topN'] },
    ],
  },
  unmanagedPods: {
    label: 'Unmanaged pods',
    description: 'Pods without a CiliumEndpoint (table)',
    help: 'Running or Pending pods without a CiliumEndpoint, by name, with node, owner and age (table), or how many over time.',
    filters: ['node', 'namespace'],
    options: [],
    views: [
      { value: 'table', label: 'Table', description: 'The pods by name, node, owner and age', options: [] },
      { value: 'count', label: 'Count', description: 'Unmanaged pods over time', options: ['groupBy', 'topN'] },
    ],
  },
  regeneration: {
    label: 'Endpoint regeneration',
    description: 'Regeneration time or rate',
    help: 'How long endpoint regenerations take (quantiles) or how many run per second by outcome.',
    filters: ['node'],
    options: [],
    views: [
      {
        value: 'latency',
        label: 'Latency',
        description: 'Regeneration time quantiles in seconds',
        options: ['groupBy', 'quantiles', 'topN'],
      },
      {
        value: 'rate',
        label: 'Rate',
        description: 'Regenerations per second by outcome',
        options: ['groupBy', 'topN'],
      },
      {
        value: 'failures',
        label: 'Failures',
        description: 'Failed regenerations per second',
        options: ['groupBy', 'topN'],
      },
    ],
  },
  packetFlow: {
    label: 'Packet flow',
    description: 'Forwarded packets or bytes per second, by direction',
    help: 'Forwarded packets or bytes per second by direction.',
    filters: ['node', 'direction'],
    options: ['groupBy', 'unit', 'topN'],
    views: [],
  },
  drops: {
    label: 'Drops by reason',
    description: 'Dropped packets or bytes by reason',
    help: 'Dropped packets or bytes per second by reason and direction, or the nodes that drop most.',
    filters: ['node', 'direction', 'reason'],
    options: [],
    views: [
      {
        value: 'rate',
        label: 'Rate',
        description: 'Drop rate over time by reason',
        options: ['groupBy', 'unit', 'topN'],
      },
      {
        value: 'topNodes',
        label: 'Top nodes',
        description: 'Nodes with the highest drop rate (table)',
        options: ['unit', 'limit'],
      },
    ],
  },
  policy: {
    label: 'Policy',
    description: 'Policies, revisions, import errors',
    help: 'Policies loaded, policy revision, failed policy imports, or endpoints per enforcement mode.',
    filters: ['node'],
    options: [],
    views: [
      { value: 'count', label: 'Count', description: 'Policies loaded', options: ['groupBy', 'topN'] },
      { value: 'revision', label: 'Revision', description: 'Highest policy revision', options: ['groupBy', 'topN'] },
      {
        value: 'revisionSkew',
        label: 'Revision skew',
        description: 'Policy changes behind the node that applied the most in the range',
        options: ['groupBy', 'topN'],
      },
      {
        value: 'importErrors',
        label: 'Import errors',
        description: 'Failed policy imports within the rate window ending at each point',
        options: ['groupBy', 'topN'],
      },
      {
        value: 'importErrorsInRange',
        label: 'Import errors in range',
        description: 'Failed policy imports over the whole range, one value at its end',
        options: ['groupBy', 'topN'],
      },
      {
        value: 'enforcement',
        label: 'Enforcement',
        description: 'Endpoints per enforcement mode',
        options: ['groupBy', 'topN'],
      },
    ],
  },
  agentHealth: {
    label: 'Agent health',
    description: 'Agent and operator scrape status',
    help: 'Whether each agent and the operator answer, their Cilium version and scrape duration.',
    filters: ['node'],
    options: [],
    views: [
      {
        value: 'status',
        label: 'Status',
        description: 'One row per target (table); with a limit, problems first',
        options: ['limit'],
      },
      {
        value: 'up',
        label: 'Up',
        description: '1 when the last scrape succeeded, over time',
        options: ['groupBy', 'topN'],
      },
      {
        value: 'scrapeDuration',
        label: 'Scrape duration',
        description: 'Seconds per scrape, over time',
        options: ['groupBy', 'topN'],
      },
      { value: 'versions', label: 'Versions', description: 'Agents per Cilium version (table)', options: [] },
    ],
  },
  anomaly: {
    label: 'Drop anomalies',
    description: 'Drop rate against its baseline band',
    help: 'Drop rate against its robust baseline band, or the series currently outside their band.',
    filters: ['node', 'direction', 'reason'],
    options: [],
    views: [
      {
        value: 'bands',
        label: 'Bands',
        description: 'Rate, baseline, upper band and score of the highest-scoring series',
        options: ['limit', 'topN'],
      },
      {
        value: 'scores',
        label: 'Scores',
        description: 'Series outside their band, highest score first (table)',
        options: ['limit'],
      },
      {
        value: 'summary',
        label: 'Summary',
        description: 'Drop rate, baseline and upper band summed, and how many series are anomalous',
        options: [],
      },
    ],
  },
  workloadDrops: {
    label: 'Drops by workload',
    description: 'Who is being dropped: workload pairs (Hubble)',
    help:
      'Drops by source → destination workload, reason and direction, from Hubble (the exporter needs --hubble-port, ' +
      '--hubble or --hubble-relay): the pairs that dropped most over the range, or a table with the policies that ' +
      "denied them (Hubble Relay) and their share of the node's drops. Namespace and workload match either end.",
    filters: ['node', 'namespace', 'workload', 'direction', 'reason'],
    options: [],
    views: [
      {
        value: 'pairs',
        label: 'Pairs',
        description: 'Drop rate of the top pairs over time, summed over the selected nodes',
        options: ['topN'],
      },
      {
        value: 'table',
        label: 'Table',
        description: "Node, source → destination, reason, denying policy, rate and share of the node's drops",
        options: ['limit'],
      },
    ],
  },
};

export const QUERY_TYPE_ORDER = Object.keys(QUERY_TYPES) as QueryType[];
export const DEFAULT_QUERY_TYPE: QueryType = 'endpoints';

export const DEFAULT_QUANTILES = [0.5, 0.9, 0.99];
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 1000;
/** What a query grouped per node keeps when the editor switches it to one series per node. */
export const DEFAULT_TOP_N = 10;
export const MAX_TOP_N = 1000;

/** Endpoint states as the agent names them (Cilium's EndpointState enum, plus the older "creating"). */
export const ENDPOINT_STATES = [
  'ready',
  'regenerating',
  'waiting-to-regenerate',
  'waiting-for-identity',
  'not-ready',
  'restoring',
  'creating',
  'disconnecting',
  'disconnected',
  'invalid',
];

export const TRAFFIC_DIRECTIONS = ['INGRESS', 'EGRESS'];
/** Drops also carry these directions (service load-balancing drops, and drops the datapath could not attribute). */
export const DROP_DIRECTIONS = ['INGRESS', 'EGRESS', 'SERVICE', 'UNKNOWN'];

export function queryTypeInfo(queryType: QueryType | undefined): QueryTypeInfo {
  return QUERY_TYPES[queryType ?? DEFAULT_QUERY_TYPE] ?? QUERY_TYPES[DEFAULT_QUERY_TYPE];
}

/** The view in effect: the stored one when it belongs to the type, else the type's default. */
export function effectiveView(queryType: QueryType | undefined, view: QueryView | undefined): ViewInfo | undefined {
  const { views } = queryTypeInfo(queryType);
  return views.find((v) => v.value === view) ?? views[0];
}

/** The settings that apply to a query type in a view (the stored one, or the type's default). */
export function queryOptions(queryType: QueryType | undefined, view: QueryView | undefined): QueryOption[] {
  const info = queryTypeInfo(queryType);
  return info.views.length > 0 ? (effectiveView(queryType, view)?.options ?? []) : info.options;
}

type QueryFields = Omit<ScopeQuery, 'refId' | 'queryType' | 'topN'> & { topN?: number | string };

/**
 * The fields a query keeps when it changes to `queryType`: those the new type reads in its default view, so a
 * dashboard's JSON never carries filters that silently do nothing.
 */
export function fieldsForType<T extends QueryFields>(query: T, queryType: QueryType): Partial<QueryFields> {
  const info = QUERY_TYPES[queryType];
  const kept: Partial<QueryFields> = {};
  for (const filter of info.filters) {
    if (query[filter] !== undefined) {
      kept[filter] = query[filter];
    }
  }
  // The new type starts on its default view.
  const options = queryOptions(queryType, undefined);
  if (options.includes('groupBy') && query.groupBy) {
    kept.groupBy = query.groupBy;
  }
  if (options.includes('unit') && query.unit) {
    kept.unit = query.unit;
  }
  if (options.includes('topN')) {
    if (query.topN !== undefined) {
      kept.topN = query.topN;
    }
    if (query.others !== undefined) {
      kept.others = query.others;
    }
  }
  return kept;
}
