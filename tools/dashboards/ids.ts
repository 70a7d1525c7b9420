/**
 * Names that tie the dashboards, the provisioning files, the alert rules and docker-compose together. Changing one
 * breaks links from alerts to panels and from panels to datasources, so they live here once.
 */

export const PLUGIN_ID = 'ciliumscope-cilium-datasource';

/** Datasource uids fixed by provisioning/datasources/ciliumscope.yaml. */
export const DATASOURCE_UIDS = {
  scope: 'ciliumscope',
  prometheus: 'ciliumscope-prometheus',
} as const;

/** Import inputs (`__inputs`) of the shareable dashboard copies; Grafana substitutes them on import only. */
export const INPUTS = {
  scope: 'DS_CILIUMSCOPE',
  prometheus: 'DS_PROMETHEUS',
} as const;

/** Fixed dashboard uids: alert annotations (`__dashboardUid__`) and links point at them. */
export const DASHBOARD_UIDS = {
  scope: 'ciliumscope-overview',
  prometheus: 'ciliumscope-prometheus',
  node: 'ciliumscope-node',
} as const;

/** Folder the provisioned dashboards and alert rules go to. */
export const FOLDER = { title: 'Cilium Scope', uid: 'ciliumscope' } as const;

/**
 * The dashboard schema version Grafana 10.4 writes, the oldest release the dashboards support. Grafana migrates a
 * dashboard forward when it loads it (12.x and 13.x take it to 41 or 42), never back, so a newer version would be
 * refused or misread by 10.4.
 */
export const SCHEMA_VERSION = 39;

/** The oldest Grafana the dashboards are generated for (import metadata's `__requires`). */
export const OLDEST_GRAFANA = '10.4.0';

/** The Prometheus job name that scrapes the exporter (prometheus/prometheus.yml and the rule expressions agree). */
export const PROMETHEUS_JOB = 'ciliumscope-exporter';

/**
 * Panel ids, the same in both dashboards where a panel answers the same question. Alert rules link to them
 * (`__panelId__`), so a panel keeps its id when it moves.
 */
export const PANEL_IDS = {
  /** Endpoints not ready: the cluster and the top nodes (the "endpoints not ready" alert links here). */
  endpointsByState: 1,
  podsVsEndpoints: 2,
  unmanagedPods: 3,
  regenerationTime: 4,
  regenerationFailures: 5,
  nodesWithoutAgent: 6,
  endpointStates: 7,
  ingressFlow: 10,
  egressFlow: 11,
  dropsByReason: 12,
  dropReasons: 13,
  anomalyBands: 14,
  anomalyScores: 15,
  topDropNodes: 16,
  policiesPerNode: 20,
  policyRevision: 21,
  policyImportErrors: 22,
  enforcement: 23,
  targetsUp: 30,
  agents: 31,
  versions: 32,
  scrapeDuration: 33,
  scrapeErrors: 34,
  overviewTargets: 40,
  overviewNotReady: 41,
  overviewUnmanaged: 42,
  overviewDrops: 43,
  overviewAnomalies: 44,
  overviewImportErrors: 45,
  overviewRegeneration: 46,
  overviewRevisionSkew: 47,
  /** Who is being dropped: the top workload pairs over time, and the node × pair table (the anomaly tables link here). */
  workloadPairs: 60,
  workloadTable: 61,
} as const;

export const ROW_IDS = { overview: 50, endpoints: 100, packetFlow: 200, workloads: 250, policy: 300, agents: 400 } as const;

/** The template variable the top-N panels read, and its choices. */
export const TOP_N = { variable: 'topn', values: ['5', '10', '20', '50'], default: '10' } as const;
