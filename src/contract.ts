/**
 * The contract between the Cilium Scope datasource plugin (src/) and the exporter's JSON API (exporter/http).
 *
 * Types only: both sides import it with `import type`, so neither bundles the other's code. Runtime tables that
 * must cover every member of a union here (the exporter's query handlers, the plugin's query-type picker) are
 * typed `Record<QueryType, ...>`, so adding a query type fails to compile until both sides handle it. The one table
 * both sides read at run time (each query type's views, defaults and help, and the annotation kinds) is
 * src/queryCatalog.ts.
 */

/** Every panel need the exporter can answer through `POST /api/v1/query`. */
export type QueryType =
  | 'endpoints'
  | 'podEndpointDelta'
  | 'unmanagedPods'
  | 'regeneration'
  | 'packetFlow'
  | 'drops'
  | 'policy'
  | 'agentHealth'
  | 'anomaly'
  | 'workloadDrops';

/** Sub-views of a query type; which ones apply is listed on {@link ScopeQuery.view}. */
export type EndpointsView = 'states' | 'notReady';
export type PodEndpointDeltaView = 'counts' | 'delta';
export type UnmanagedPodsView = 'table' | 'count';
export type RegenerationView = 'latency' | 'rate' | 'failures';
export type PolicyView = 'count' | 'revision' | 'revisionSkew' | 'importErrors' | 'importErrorsInRange' | 'enforcement';
export type AgentHealthView = 'status' | 'up' | 'scrapeDuration' | 'versions';
export type DropsView = 'rate' | 'topNodes';
export type AnomalyView = 'bands' | 'scores' | 'summary';
export type WorkloadDropsView = 'pairs' | 'table';
export type QueryView =
  | EndpointsView
  | PodEndpointDeltaView
  | UnmanagedPodsView
  | RegenerationView
  | PolicyView
  | AgentHealthView
  | DropsView
  | AnomalyView
  | WorkloadDropsView;

/**
 * The views of each query type; `never` for a type with a single view (its `view` stays unset). Keyed by every
 * query type: a new type does not compile until it says which views it has.
 */
export interface QueryViews {
  endpoints: EndpointsView;
  podEndpointDelta: PodEndpointDeltaView;
  unmanagedPods: UnmanagedPodsView;
  regeneration: RegenerationView;
  packetFlow: never;
  drops: DropsView;
  policy: PolicyView;
  agentHealth: AgentHealthView;
  anomaly: AnomalyView;
  workloadDrops: WorkloadDropsView;
}

/** A filter: one value, several values (a multi-value template variable), or absent / empty for "all". */
export type Filter = string | string[];

/**
 * One query as a panel stores it. Flat on purpose (it lives in dashboard JSON); each field applies to the query
 * types named beside it and is ignored by the others.
 */
export interface ScopeQuery {
  refId: string;
  queryType: QueryType;
  /** Kubernetes node names. All types. */
  node?: Filter;
  /**
   * Kubernetes namespaces. unmanagedPods; workloadDrops (with `workload`: a pair is kept when its source or its
   * destination is in one of these namespaces and is one of those workloads).
   */
  namespace?: Filter;
  /** Workload names (Deployment, StatefulSet, DaemonSet, ..., or a reserved identity such as reserved:world). workloadDrops. */
  workload?: Filter;
  /**
   * Cilium traffic direction as the agent writes it: INGRESS, EGRESS (also SERVICE, UNKNOWN on drops; UNKNOWN on
   * workload drops from Hubble metrics without traffic_direction). packetFlow, drops, anomaly, workloadDrops.
   */
  direction?: Filter;
  /** Drop reason as the agent writes it, e.g. "Policy denied". drops, anomaly, workloadDrops. */
  reason?: Filter;
  /** Endpoint states as the agent writes them (ready, regenerating, ...). endpoints. */
  state?: Filter;
  /**
   * One series per node (`node`) or summed over the selected nodes (`cluster`, the default).
   * endpoints, podEndpointDelta, regeneration, packetFlow, drops, policy, agentHealth (views up, scrapeDuration).
   */
  groupBy?: 'cluster' | 'node';
  /** packetFlow, drops: packets per second (default) or bytes per second. */
  unit?: 'packets' | 'bytes';
  /**
   * endpoints: `states` (one series per state, default) | `notReady` (endpoints in any state but ready,
   * disconnecting and disconnected, summed; for the cluster also the `stuck` series: each node's fewest not ready
   * over the last ten minutes, summed);
   * podEndpointDelta: `counts` (pods, pod endpoints and their delta, default) | `delta` (the delta only);
   * unmanagedPods: `table` (the pods by name, default) | `count` (unmanaged pods over time);
   * regeneration: `latency` (p50/p90/p99 seconds, default) | `rate` (regenerations per second by outcome) |
   * `failures` (failed regenerations per second);
   * policy: `count` (default) | `revision` | `revisionSkew` (policy changes a node is behind the node that applied
   * the most since the start of the range) | `importErrors` | `importErrorsInRange` (failed imports over the whole
   * range: one value per node or for the cluster, at its end) | `enforcement`;
   * agentHealth: `status` (table, default) | `up` | `scrapeDuration` | `versions` (table: agents per Cilium version);
   * drops: `rate` (default) | `topNodes` (table);
   * anomaly: `bands` (rate, baseline, upper band, score; default) | `scores` (table of series outside their band) |
   * `summary` (summed over the selected series: drop rate, baseline and upper band, the rate over the baseline, and
   * how many series are anomalous);
   * workloadDrops: `pairs` (default: drops per second of the workload pairs that dropped most over the range, summed
   * over the selected nodes, one series per source → destination, reason and direction; `others` adds the rest as
   * one series) | `table` (node, source → destination, reason, direction, the denying policies and ports Hubble Relay
   * reported, the mean drop rate over the range and its share of the node's drops, most first).
   */
  view?: QueryView;
  /** regeneration latency: quantiles in (0, 1), default [0.5, 0.9, 0.99]. */
  quantiles?: number[];
  /**
   * drops topNodes, anomaly scores, agentHealth status, workloadDrops table: at most this many rows (status: problems
   * first); anomaly bands: at most this many series (default 10, at most 1000).
   */
  limit?: number;
  /**
   * Queries with one series per node (groupBy `node`, and anomaly bands): keep only the N nodes that rank highest
   * over the whole range by the query's own signal (endpoints not ready, the largest pod/endpoint delta, the most
   * regeneration failures or import errors, the furthest revision skew, the slowest scrapes, ...; the README lists
   * each), ties by node name. Ranked over the range, the same nodes stay in the panel from one refresh to the next.
   * 1 to 1000; unset keeps every node (within the exporter's limit of series per query).
   * workloadDrops pairs: the N workload pairs with the highest mean drop rate over the range (default 10).
   */
  topN?: number;
  /**
   * With topN: also the nodes outside the top N as the query's own cluster view of them ("other nodes (K)", labelled
   * `others`): summed counts and rates, the slowest scrape, the quantiles of their summed histogram, ...; default
   * false. workloadDrops pairs: the drops of every other pair, summed ("other pairs"; without a namespace or
   * workload filter, also the drops Hubble counted in the "(other)" rows).
   */
  others?: boolean;
}

/** Body of `POST /api/v1/query`. Times are Unix milliseconds. */
export interface QueryRequest {
  from: number;
  to: number;
  /** Step between points; the exporter widens it so that no frame exceeds maxDataPoints. */
  intervalMs?: number;
  maxDataPoints?: number;
  queries: ScopeQuery[];
}

/** Field types of Grafana's data frames (a subset of @grafana/data's FieldType). */
export type FieldType = 'time' | 'number' | 'string' | 'boolean' | 'other';

/** Threshold steps as Grafana's field config stores them; the first step's value is null (base). */
export interface ThresholdStep {
  value: number | null;
  color: string;
}

/** The part of Grafana's FieldConfig the exporter fills in, so the plugin passes frames through untouched. */
export interface FieldConfigJSON {
  unit?: string;
  displayName?: string;
  displayNameFromDS?: string;
  description?: string;
  decimals?: number;
  min?: number;
  max?: number;
  thresholds?: { mode: 'absolute' | 'percentage'; steps: ThresholdStep[] };
  color?: { mode: 'fixed' | 'thresholds' | 'palette-classic'; fixedColor?: string };
  custom?: Record<string, unknown>;
}

export interface FieldSchemaJSON {
  name: string;
  type: FieldType;
  labels?: Record<string, string>;
  config?: FieldConfigJSON;
}

/** Grafana's data-frame JSON (`dataFrameFromJSON` in @grafana/data reads it as is). */
export interface DataFrameJSON {
  schema: {
    name?: string;
    refId?: string;
    meta?: {
      type?: 'timeseries-multi' | 'timeseries-wide' | 'table' | 'numeric-multi';
      typeVersion?: [number, number];
      preferredVisualisationType?: 'graph' | 'table' | 'logs' | 'trace' | 'nodeGraph';
      notices?: Array<{ severity: 'info' | 'warning' | 'error'; text: string }>;
      custom?: Record<string, unknown>;
    };
    fields: FieldSchemaJSON[];
  };
  data: { values: unknown[][] };
}

/** One query's answer, in the shape of Grafana's own `/api/ds/query`. */
export interface QueryResult {
  frames: DataFrameJSON[];
  /** Set when this query failed; the other queries of the request still answer. */
  error?: string;
  status?: number;
}

/** Response of `POST /api/v1/query`. */
export interface QueryResponse {
  results: Record<string, QueryResult>;
}

/** Every error the API returns: a message a user can act on and, for invalid input, the offending field. */
export interface ApiError {
  error: string;
  field?: string;
}

/** `GET /api/v1/nodes`. */
export interface NodeInfo {
  name: string;
  /** The last scrape of this node's agent succeeded. */
  up: boolean;
  /** Data older than the staleness limit (the agent has not answered for a while); values are the last good ones. */
  stale: boolean;
  ciliumVersion: string | null;
  /** Unix ms of the last scrape attempt and of the last success; null before the first. */
  lastScrape: number | null;
  lastSuccess: number | null;
  scrapeDurationMs: number | null;
  /** Why the last scrape failed, when it did. */
  error: string | null;
  /** Pod endpoints (host and health endpoints excluded) and all endpoints the agent reports. */
  podEndpoints: number | null;
  endpoints: number | null;
  /** Pods Kubernetes schedules here (Running or Pending, not hostNetwork); null without Kubernetes. */
  pods: number | null;
  unmanagedPods: number | null;
  /**
   * Where the target came from: a static --agent flag or Kubernetes discovery; `prometheus` on a query replica,
   * which reads the node from the series the scraping exporters write to Prometheus.
   */
  source: 'static' | 'kubernetes' | 'prometheus';
}

export interface NodesResponse {
  nodes: NodeInfo[];
}

/**
 * `GET /api/v1/namespaces`: the namespaces Kubernetes has pods in, and those of workload pairs with drops (Hubble);
 * with `?dropped=true` only the latter.
 */
export interface NamespacesResponse {
  namespaces: string[];
}

/** One end of a workload pair: its namespace ('' for a reserved identity such as reserved:world) and workload. */
export interface WorkloadRef {
  namespace: string;
  workload: string;
}

/** `GET /api/v1/workloads?namespace=`: the workloads of pairs with drops (Hubble), as sources or destinations. */
export interface WorkloadsResponse {
  workloads: WorkloadRef[];
}

/** `GET /api/v1/drop-reasons`: every reason Cilium can report, with what it means. */
export interface DropReasonInfo {
  /** The agent's label value, e.g. "Policy denied". */
  reason: string;
  /** Cilium's numeric drop code where known (e.g. 133). */
  code: number | null;
  /** Hubble's enum name where known (e.g. POLICY_DENIED). */
  hubbleName: string | null;
  /** What the reason means, in plain words. */
  meaning: string;
  /** What usually causes it and where to look. */
  commonCauses: string;
  /** Whether the cluster currently reports drops with this reason. */
  seen: boolean;
}

export interface DropReasonsResponse {
  reasons: DropReasonInfo[];
}

/** How unmanaged pods were determined. */
export type UnmanagedSource = 'ciliumendpoints' | 'counts' | 'none';

/** `GET /api/v1/unmanaged-pods`. */
export interface UnmanagedPod {
  namespace: string;
  name: string;
  node: string;
  phase: 'Running' | 'Pending';
  /** "Kind/name" of the controlling owner, e.g. "ReplicaSet/web-5d4f", or null. */
  owner: string | null;
  /** Pod start time (ISO 8601) or creation time when not started yet. */
  startedAt: string | null;
}

export interface NodeWithoutAgent {
  node: string;
  /** Pods scheduled on a node where no Cilium agent runs or answers; they are not counted as unmanaged. */
  pods: number;
}

export interface UnmanagedPodsResponse {
  pods: UnmanagedPod[];
  source: UnmanagedSource;
  /** Why the answer is approximate or missing, e.g. the CiliumEndpoint CRD is absent. */
  notice: string | null;
  /** Per-node counts when source is `counts` (no names can be given then). */
  countsByNode: Array<{ node: string; pods: number; podEndpoints: number; delta: number }>;
  nodesWithoutAgent: NodeWithoutAgent[];
  /** Pods being deleted, counted apart because their endpoint may already be gone. */
  terminating: Array<{ namespace: string; name: string; node: string }>;
  /** Unix ms of the last complete sync of pods and CiliumEndpoints; null when never synced. */
  syncedAt: number | null;
  stale: boolean;
}

/** `GET /api/v1/status`: what the datasource's health check reports. */
export interface StatusResponse {
  exporterVersion: string;
  startedAt: number;
  scrapeIntervalMs: number;
  nodes: { total: number; up: number; down: number; stale: number };
  operator: { configured: boolean; up: boolean | null; error: string | null };
  kubernetes: {
    enabled: boolean;
    /** Both pods and CiliumEndpoints listed at least once. */
    synced: boolean;
    /** Seconds since the last successful list or watch event; null when never synced. */
    lastSyncAgeSeconds: number | null;
    error: string | null;
    unmanagedSource: UnmanagedSource;
  };
  history: HistoryStatus;
  shard: { index: number; count: number } | null;
  /** Hubble metrics and Hubble Relay (drops by workload); absent when neither is configured. */
  hubble?: HubbleStatus;
}

/** How Hubble metrics label a drop's endpoints, as found on a node's page (see the README's Hubble section). */
export type HubbleContextForm =
  'pod' | 'namespace' | 'workload-name' | 'identity' | 'labels' | 'reserved-identity' | 'ip' | 'none';

export interface HubbleStatus {
  metrics: {
    /** Hubble metrics targets and their health. */
    targets: number;
    up: number;
    down: number;
    stale: number;
    /** Nodes per context form of their last page (a cluster normally shows one form). */
    contexts: Array<{ form: HubbleContextForm; nodes: number; example: string }>;
    /** Nodes whose Hubble page has something wrong, worst first (at most 20). */
    problems: Array<{ node: string; problem: string }>;
  };
  relay: {
    address: string;
    tls: boolean;
    state: 'connecting' | 'streaming' | 'backoff' | 'closed';
    connected: boolean;
    error: string | null;
    /** Unix ms of the last message; of the start of the current stream. */
    lastMessageAt: number | null;
    streamingSince: number | null;
    /** Drop flows received, and the exporter's refusals (beyond the node cap). */
    flows: number;
    refusedFlows: number;
    /** Events Hubble lost before they reached the exporter (GetFlowsResponse lost_events), by source. */
    lostEvents: Record<string, number>;
    reconnects: number;
    errors: Record<string, number>;
    /** Relay's node_status: nodes per state, and the names of the nodes it cannot reach (at most 50). */
    nodeStates: Record<string, number>;
    unavailableNodes: string[];
  } | null;
  /** The workload pair model: its bounds and what it holds. */
  pairs: { topK: number; maxSeriesPerNode: number; nodes: number; keptPairs: number; heldPairs: number };
}

/** Where the exporter reads history from (--history-backend), and whether that works. */
export interface HistoryStatus {
  backend: 'embedded' | 'prometheus';
  /** The Prometheus-compatible server history is read from (credentials removed); null for the embedded history. */
  url: string | null;
  /** ok: answering (the embedded history always is); error: the last request failed; unknown: none made yet. */
  state: 'ok' | 'error' | 'unknown';
  /** Unix ms of the last successful request to the server, and of the last failed one with its message. */
  lastSuccessAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  /** The embedded history only (null for Prometheus): its retention at the current number of series, series held, memory. */
  retentionSeconds: number | null;
  series: number | null;
  bytes: number | null;
}

/** Annotation kinds the plugin can ask for. */
export type AnnotationKind = 'policyImportErrors' | 'dropAnomalies' | 'agentRestarts';

/** Body of `POST /api/v1/annotations`. */
export interface AnnotationsRequest {
  from: number;
  to: number;
  kind: AnnotationKind;
  node?: Filter;
}

export interface AnnotationEvent {
  time: number;
  timeEnd?: number;
  title: string;
  text: string;
  tags: string[];
  node: string;
}

export interface AnnotationsResponse {
  annotations: AnnotationEvent[];
}
