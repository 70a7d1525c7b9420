/**
 * The series the exporter keeps in its history, one point per scrape cycle: their names, labels and how a cycle
 * of the cluster model becomes points. Counters arrive here as per-second rates. The query layer reads these
 * names; nothing else writes them.
 */
import type { HistoryStore, HistoryWriter } from '../history/store';
import type { ClusterModel, NodeState } from './cluster';

export const SERIES = {
  /** {node, component}: 1 when the last scrape succeeded. */
  up: 'up',
  /** {node, component}. */
  scrapeDurationSeconds: 'scrape_duration_seconds',
  /** {node, state}. */
  endpoints: 'endpoints',
  /** {node}: every endpoint including host and health. */
  endpointsTotal: 'endpoints_total',
  /** {node}: endpoints that are pods. */
  podEndpoints: 'pod_endpoints',
  /** {node, outcome}: regenerations per second. */
  regenerationRate: 'regeneration_rate',
  /** {node, le}: increase per second of the cumulative regeneration-time bucket. */
  regenerationBucketRate: 'regeneration_bucket_rate',
  /** {node, direction, unit=packets|bytes}: per second. */
  forwardedRate: 'forwarded_rate',
  /** {node, direction, reason, unit=packets|bytes}: per second. */
  droppedRate: 'dropped_rate',
  /** {node}. */
  policies: 'policies',
  policyMaxRevision: 'policy_max_revision',
  /** {node}: failed policy imports in the cycle (absolute). */
  policyImportErrors: 'policy_import_errors',
  /** {node, enforcement}: endpoints per enforcement mode. */
  enforcement: 'enforcement',
  identities: 'identities',
  /** {node}: 1 in the cycle where an agent restart was detected. */
  agentRestart: 'agent_restart',
  /** {node}: pods Running or Pending, not hostNetwork, scheduled on the node (written by the Kubernetes join). */
  pods: 'pods',
  /** {node}: of those, pods without a CiliumEndpoint. */
  unmanagedPods: 'unmanaged_pods',
  /** {node}: pods minus pod endpoints. */
  endpointPodDelta: 'endpoint_pod_delta',
  /** {node, direction, reason}: the detector's baseline and upper band of the drop rate (packets/s), and its score. */
  dropRateBaseline: 'drop_rate_baseline',
  dropRateUpperBand: 'drop_rate_upper_band',
  dropAnomalyScore: 'drop_anomaly_score',
  /**
   * {node, reason, direction, source_namespace, source_workload, destination_namespace, destination_workload}:
   * packets/s of a kept workload pair, or of the node's "(other)" row (written by the Hubble model).
   */
  workloadDroppedRate: 'workload_dropped_rate',
} as const;

/** Adds a module's own series to a cycle's point (Kubernetes join, anomaly detector). */
export type SeriesContributor = (writer: HistoryWriter, model: ClusterModel, cycleStart: number) => void;

export class HistoryRecorder {
  private readonly contributors: SeriesContributor[] = [];

  constructor(private readonly history: HistoryStore) {}

  addContributor(contributor: SeriesContributor): void {
    this.contributors.push(contributor);
  }

  record(model: ClusterModel, cycleStart: number): void {
    const w = this.history.begin(cycleStart);
    for (const node of model.nodes()) {
      writeNode(w, model, node, cycleStart);
    }
    const operator = model.operator();
    if (operator && operator.target.lastScrape !== null && operator.target.lastScrape >= cycleStart) {
      const labels = { node: operator.target.target.node, component: 'operator' };
      w.put(SERIES.up, labels, operator.target.up ? 1 : 0);
      if (operator.target.durationMs !== null) {
        w.put(SERIES.scrapeDurationSeconds, labels, operator.target.durationMs / 1000);
      }
    }
    for (const hubble of model.hubbleTargets()) {
      if (hubble.lastScrape !== null && hubble.lastScrape >= cycleStart) {
        const labels = { node: hubble.target.node, component: 'hubble' };
        w.put(SERIES.up, labels, hubble.up ? 1 : 0);
        if (hubble.durationMs !== null) {
          w.put(SERIES.scrapeDurationSeconds, labels, hubble.durationMs / 1000);
        }
      }
    }
    for (const contribute of this.contributors) {
      contribute(w, model, cycleStart);
    }
    w.commit();
  }
}

function writeNode(w: HistoryWriter, model: ClusterModel, node: NodeState, cycleStart: number): void {
  const n = node.name;
  const target = node.agent;
  if (target.lastScrape === null || target.lastScrape < cycleStart) {
    return;
  }
  const agentLabels = { node: n, component: 'agent' };
  w.put(SERIES.up, agentLabels, target.up ? 1 : 0);
  if (target.durationMs !== null) {
    w.put(SERIES.scrapeDurationSeconds, agentLabels, target.durationMs / 1000);
  }
  const s = node.sample;
  if (!s || node.sampleAt === null || node.sampleAt < cycleStart) {
    return;
  }
  for (const [state, count] of Object.entries(s.endpointStates)) {
    w.put(SERIES.endpoints, { node: n, state }, count);
  }
  if (s.endpoints !== null) {
    w.put(SERIES.endpointsTotal, { node: n }, s.endpoints);
    w.put(SERIES.podEndpoints, { node: n }, model.podEndpoints(node)!);
  }
  putIfKnown(w, SERIES.policies, { node: n }, s.policies);
  putIfKnown(w, SERIES.policyMaxRevision, { node: n }, s.policyMaxRevision);
  putIfKnown(w, SERIES.identities, { node: n }, s.identities);
  for (const [enforcement, count] of Object.entries(s.enforcement)) {
    w.put(SERIES.enforcement, { node: n, enforcement }, count);
  }
  const r = node.rates;
  if (!r || node.ratesAt === null || node.ratesAt < cycleStart) {
    return;
  }
  w.put(SERIES.agentRestart, { node: n }, r.restarted ? 1 : 0);
  for (const [outcome, perSecond] of Object.entries(r.regenerations)) {
    w.put(SERIES.regenerationRate, { node: n, outcome }, perSecond);
  }
  for (const b of r.regenerationBuckets) {
    w.put(SERIES.regenerationBucketRate, { node: n, le: String(b.le) }, b.perSecond);
  }
  for (const f of r.forwarded) {
    w.put(SERIES.forwardedRate, { node: n, direction: f.direction, unit: 'packets' }, f.packetsPerSecond);
    putIfKnown(w, SERIES.forwardedRate, { node: n, direction: f.direction, unit: 'bytes' }, f.bytesPerSecond);
  }
  for (const d of r.dropped) {
    w.put(SERIES.droppedRate, { node: n, direction: d.direction, reason: d.reason, unit: 'packets' }, d.packetsPerSecond);
    putIfKnown(w, SERIES.droppedRate, { node: n, direction: d.direction, reason: d.reason, unit: 'bytes' }, d.bytesPerSecond);
  }
  putIfKnown(w, SERIES.policyImportErrors, { node: n }, r.policyImportErrorsIncrease);
}

function putIfKnown(w: HistoryWriter, metric: string, labels: Record<string, string>, value: number | null): void {
  if (value !== null && Number.isFinite(value)) {
    w.put(metric, labels, value);
  }
}
