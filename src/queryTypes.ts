import type { QueryType, QueryView, ScopeQuery } from './contract';

/** The multi-value filters of a query; each maps to the ScopeQuery field of the same name. */
export type FilterName = 'node' | 'namespace' | 'direction' | 'reason' | 'state';

/** Settings beside the filters; which apply depends on the query type and its view. */
export type QueryOption = 'groupBy' | 'unit' | 'quantiles' | 'limit';

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
    options: ['groupBy'],
    views: [],
  },
  podEndpointDelta: {
    label: 'Pod / endpoint delta',
    description: 'Pods minus pod endpoints, per node',
    help: 'Pods Kubernetes runs on a node minus the pod endpoints Cilium manages there. Above 0: unmanaged pods.',
    filters: ['node'],
    options: ['groupBy'],
    views: [],
  },
  unmanagedPods: {
    label: 'Unmanaged pods',
    description: 'Pods without a CiliumEndpoint (table)',
    help: 'Running or Pending pods without a CiliumEndpoint, by name, with node, owner and age (table).',
    filters: ['node', 'namespace'],
    options: [],
    views: [],
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
        options: ['groupBy', 'quantiles'],
      },
      { value: 'rate', label: 'Rate', description: 'Regenerations per second by outcome', options: ['groupBy'] },
    ],
  },
  packetFlow: {
    label: 'Packet flow',
    description: 'Forwarded packets or bytes per second, by direction',
    help: 'Forwarded packets or bytes per second by direction.',
    filters: ['node', 'direction'],
    options: ['groupBy', 'unit'],
    views: [],
  },
  drops: {
    label: 'Drops by reason',
    description: 'Dropped packets or bytes by reason',
    help: 'Dropped packets or bytes per second by reason and direction, or the nodes that drop most.',
    filters: ['node', 'direction', 'reason'],
    options: [],
    views: [
      { value: 'rate', label: 'Rate', description: 'Drop rate over time by reason', options: ['groupBy', 'unit'] },
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
      { value: 'count', label: 'Count', description: 'Policies loaded', options: ['groupBy'] },
      { value: 'revision', label: 'Revision', description: 'Highest policy revision', options: ['groupBy'] },
      {
        value: 'importErrors',
        label: 'Import errors',
        description: 'Failed policy imports per step',
        options: ['groupBy'],
      },
      {
        value: 'enforcement',
        label: 'Enforcement',
        description: 'Endpoints per enforcement mode',
        options: ['groupBy'],
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
      { value: 'status', label: 'Status', description: 'One row per target (table)', options: [] },
      { value: 'up', label: 'Up', description: '1 when the last scrape succeeded, over time', options: ['groupBy'] },
      {
        value: 'scrapeDuration',
        label: 'Scrape duration',
        description: 'Seconds per scrape, over time',
        options: ['groupBy'],
      },
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
        options: ['limit'],
      },
      {
        value: 'scores',
        label: 'Scores',
        description: 'Series outside their band, highest score first (table)',
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

type QueryFields = Omit<ScopeQuery, 'refId' | 'queryType'>;

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
  return kept;
}
