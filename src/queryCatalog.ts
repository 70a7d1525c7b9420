/**
 * Every query type and annotation kind of the contract, described once for both sides: the exporter validates
 * queries against it (which views each type has, which kinds exist, the bounds) and answers with its defaults (the
 * default view, row limit and quantiles); the plugin's editors show it (labels, help, the settings each view reads)
 * and start from the same defaults.
 *
 * Why here: the plugin is built from src/ alone, and the exporter already reaches into src/ for the contract, so the
 * one table both sides read at run time sits beside contract.ts. It is the only module of src/ the exporter loads
 * at run time (tsc builds it to build/src/): keep it data and small helpers, with no imports but types from
 * ./contract, so that it runs under Node as it is and pulls nothing of Grafana into the exporter.
 *
 * Typed over the contract's unions (QueryType, each type's QueryViews, AnnotationKind): a query type, view or
 * annotation kind added to the contract does not compile until it is described here with its help and defaults.
 */
import type { AnnotationKind, QueryType, QueryView, QueryViews } from './contract';

/** The multi-value filters of a query; each maps to the ScopeQuery field of the same name. */
export type FilterName = 'node' | 'namespace' | 'workload' | 'direction' | 'reason' | 'state';

/** The settings a view reads beside its filters, with the exporter's default for those that have one. */
export interface ViewOptions {
  groupBy?: true;
  unit?: true;
  /** Ranks and keeps the top N: `true` keeps every node while topN is unset; a number is what it keeps then. */
  topN?: true | number;
  /** At most this many rows (tables) or series (bands) when the query sets no limit; null: every one. */
  limit?: number | null;
  /** The quantiles answered when the query sets none. */
  quantiles?: readonly number[];
}

export type QueryOption = keyof ViewOptions;

export interface ViewInfo {
  label: string;
  description: string;
  options: ViewOptions;
}

interface TypeInfo {
  label: string;
  /** One line for the picker. */
  description: string;
  /** What the type shows, under the picker. */
  help: string;
  filters: readonly FilterName[];
}

/** A type with views: each view of its union described, in the editor's order, and the one answered by default. */
interface ViewsSpec<V extends QueryView> extends TypeInfo {
  views: Record<V, ViewInfo>;
  defaultView: V;
}

/** A type with a single view (`view` unset): the settings it reads. */
interface SingleViewSpec extends TypeInfo {
  views: null;
  options: ViewOptions;
}

type QueryTypeSpec<V extends QueryView> = [V] extends [never] ? SingleViewSpec : ViewsSpec<V>;

/** What QUERY_TYPES must be: every query type, each with every view of its own and only those. */
export type QueryCatalog = { [T in QueryType]: QueryTypeSpec<QueryViews[T]> };

/** Any entry of QUERY_TYPES, as code over every type reads it. */
export interface QueryTypeInfo extends TypeInfo {
  views: Partial<Record<QueryView, ViewInfo>> | null;
  defaultView?: QueryView;
  options?: ViewOptions;
}

/** Upper bounds of what a query may ask for (the exporter refuses more). */
export const QUERY_BOUNDS = { limit: 1000, topN: 1000, quantiles: 10 };

const LATENCY_QUANTILES = [0.5, 0.9, 0.99];
const ROWS = 10;

export const QUERY_TYPES = {
  endpoints: {
    label: 'Endpoint states',
    description: 'Endpoints per state',
    help: 'Cilium endpoints per state (ready, regenerating, waiting-for-identity, ...), host and health included.',
    filters: ['node', 'state'],
    views: {
      states: { label: 'States', description: 'One series per state', options: { groupBy: true, topN: true } },
      notReady: {
        label: 'Not ready',
        description: 'Endpoints in any state but ready (disconnecting ones left out), summed',
        options: { groupBy: true, topN: true },
      },
    },
    defaultView: 'states',
  },
  podEndpointDelta: {
    label: 'Pod / endpoint delta',
    description: 'Pods minus pod endpoints, per node',
    help: 'Pods Kubernetes runs on a node minus the pod endpoints Cilium manages there. Above 0: unmanaged pods.',
    filters: ['node'],
    views: {
      counts: {
        label: 'Counts',
        description: 'Pods, pod endpoints and their delta',
        options: { groupBy: true, topN: true },
      },
      delta: { label: 'Delta', description: 'Pods minus pod endpoints only', options: { groupBy: true, topN: true } },
    },
    defaultView: 'counts',
  },
  unmanagedPods: {
    label: 'Unmanaged pods',
    description: 'Pods without a CiliumEndpoint (table)',
    help: 'Running or Pending pods without a CiliumEndpoint, by name, with node, owner and age (table), or how many over time.',
    filters: ['node', 'namespace'],
    views: {
      table: { label: 'Table', description: 'The pods by name, node, owner and age', options: {} },
      count: { label: 'Count', description: 'Unmanaged pods over time', options: { groupBy: true, topN: true } },
    },
    defaultView: 'table',
  },
  regeneration: {
    label: 'Endpoint regeneration',
    description: 'Regeneration time or rate',
    help: 'How long endpoint regenerations take (quantiles) or how many run per second by outcome.',
    filters: ['node'],
    views: {
      latency: {
        label: 'Latency',
        description: 'Regeneration time quantiles in seconds',
        options: { groupBy: true, quantiles: LATENCY_QUANTILES, topN: true },
      },
      rate: {
        label: 'Rate',
        description: 'Regenerations per second by outcome',
        options: { groupBy: true, topN: true },
      },
      failures: {
        label: 'Failures',
        description: 'Failed regenerations per second',
        options: { groupBy: true, topN: true },
      },
    },
    defaultView: 'latency',
  },
  packetFlow: {
    label: 'Packet flow',
    description: 'Forwarded packets or bytes per second, by direction',
    help: 'Forwarded packets or bytes per second by direction.',
    filters: ['node', 'direction'],
    views: null,
    options: { groupBy: true, unit: true, topN: true },
  },
  drops: {
    label: 'Drops by reason',
    description: 'Dropped packets or bytes by reason',
    help: 'Dropped packets or bytes per second by reason and direction, or the nodes that drop most.',
    filters: ['node', 'direction', 'reason'],
    views: {
      rate: {
        label: 'Rate',
        description: 'Drop rate over time by reason',
        options: { groupBy: true, unit: true, topN: true },
      },
      topNodes: {
        label: 'Top nodes',
        description: 'Nodes with the highest drop rate (table)',
        options: { unit: true, limit: ROWS },
      },
    },
    defaultView: 'rate',
  },
  policy: {
    label: 'Policy',
    description: 'Policies, revisions, import errors',
    help: 'Policies loaded, policy revision, failed policy imports, or endpoints per enforcement mode.',
    filters: ['node'],
    views: {
      count: { label: 'Count', description: 'Policies loaded', options: { groupBy: true, topN: true } },
      revision: { label: 'Revision', description: 'Highest policy revision', options: { groupBy: true, topN: true } },
      revisionSkew: {
        label: 'Revision skew',
        description: 'Policy changes behind the node that applied the most in the range',
        options: { groupBy: true, topN: true },
      },
      importErrors: {
        label: 'Import errors',
        description: 'Failed policy imports within the rate window ending at each point',
        options: { groupBy: true, topN: true },
      },
      importErrorsInRange: {
        label: 'Import errors in range',
        description: 'Failed policy imports over the whole range, one value at its end',
        options: { groupBy: true, topN: true },
      },
      enforcement: {
        label: 'Enforcement',
        description: 'Endpoints per enforcement mode',
        options: { groupBy: true, topN: true },
      },
    },
    defaultView: 'count',
  },
  agentHealth: {
    label: 'Agent health',
    description: 'Agent and operator scrape status',
    help: 'Whether each agent and the operator answer, their Cilium version and scrape duration.',
    filters: ['node'],
    views: {
      status: {
        label: 'Status',
        description: 'One row per target (table); with a limit, problems first',
        options: { limit: null },
      },
      up: {
        label: 'Up',
        description: '1 when the last scrape succeeded, over time',
        options: { groupBy: true, topN: true },
      },
      scrapeDuration: {
        label: 'Scrape duration',
        description: 'Seconds per scrape, over time',
        options: { groupBy: true, topN: true },
      },
      versions: { label: 'Versions', description: 'Agents per Cilium version (table)', options: {} },
    },
    defaultView: 'status',
  },
  anomaly: {
    label: 'Drop anomalies',
    description: 'Drop rate against its baseline band',
    help: 'Drop rate against its robust baseline band, or the series currently outside their band.',
    filters: ['node', 'direction', 'reason'],
    views: {
      bands: {
        label: 'Bands',
        description: 'Rate, baseline, upper band and score of the highest-scoring series',
        options: { limit: ROWS, topN: true },
      },
      scores: {
        label: 'Scores',
        description: 'Series outside their band, highest score first (table)',
        options: { limit: ROWS },
      },
      summary: {
        label: 'Summary',
        description: 'Drop rate, baseline and upper band summed, and how many series are anomalous',
        options: {},
      },
    },
    defaultView: 'bands',
  },
  workloadDrops: {
    label: 'Drops by workload',
    description: 'Who is being dropped: workload pairs (Hubble)',
    help:
      'Drops by source → destination workload, reason and direction, from Hubble (the exporter needs --hubble-port, ' +
      '--hubble or --hubble-relay): the pairs that dropped most over the range, or a table with the policies that ' +
      "denied them (Hubble Relay) and their share of the node's drops. Namespace and workload match either end.",
    filters: ['node', 'namespace', 'workload', 'direction', 'reason'],
    views: {
      pairs: {
        label: 'Pairs',
        description: 'Drop rate of the top pairs over time, summed over the selected nodes',
        options: { topN: ROWS },
      },
      table: {
        label: 'Table',
        description: "Node, source → destination, reason, denying policy, rate and share of the node's drops",
        options: { limit: ROWS },
      },
    },
    defaultView: 'pairs',
  },
} satisfies QueryCatalog;

/** The same table, each entry as code over every query type reads it. */
export const QUERY_TYPE_INFO: Record<QueryType, QueryTypeInfo> = QUERY_TYPES;

/** The query types in the editor's order. */
export const QUERY_TYPE_ORDER = Object.keys(QUERY_TYPES) as QueryType[];

/** The views of a query type in the editor's order; empty for a type with a single view (or an unknown type). */
export function viewsOf(queryType: QueryType): Array<ViewInfo & { value: QueryView }> {
  const views: Partial<Record<QueryView, ViewInfo>> = QUERY_TYPE_INFO[queryType]?.views ?? {};
  return (Object.keys(views) as QueryView[]).map((value) => ({ value, ...views[value]! }));
}

export const ANNOTATION_KINDS: Record<AnnotationKind, { label: string; description: string }> = {
  policyImportErrors: {
    label: 'Policy import errors',
    description: 'When an agent failed to import a network policy (the policy is not enforced on that node).',
  },
  dropAnomalies: {
    label: 'Drop anomalies',
    description: 'When a node × direction × reason drop rate left its baseline band, as a region until it returned.',
  },
  agentRestarts: {
    label: 'Agent restarts',
    description: 'When a Cilium agent process restarted (its start time changed).',
  },
};

export const DEFAULT_ANNOTATION_KIND: AnnotationKind = 'dropAnomalies';
