/**
 * The series the query layer reads, named as /metrics names them, and how a cycle of the cluster model becomes
 * samples of the embedded history: the same values /metrics writes (gauges as they are, counters cumulative), at
 * the same times (an agent's samples at the time of its scrape), so the embedded history holds what a Prometheus
 * scraping the exporter holds and both history backends answer alike.
 */
import { formatValue } from '../history/promql-math';
import type { HistoryWriter, RingHistory, SampleWriter } from '../history/ring';
import type { ClusterModel, NodeState, TargetState } from './cluster';

export const SERIES = {
  /** {node, component}: 1 when the last scrape succeeded. Not timestamped on /metrics (see exporter/metrics/index.ts). */
  up: 'ciliumscope_target_up',
  /** {node, component}. */
  scrapeDurationSeconds: 'ciliumscope_target_scrape_duration_seconds',
  /** {node, component}: Unix seconds. */
  lastScrapeSeconds: 'ciliumscope_target_last_scrape_timestamp_seconds',
  lastSuccessSeconds: 'ciliumscope_target_last_success_timestamp_seconds',
  /** {node, component}: 1 when the target's data is older than --stale-after. */
  stale: 'ciliumscope_target_stale',
  /** {node, component, kind}: failed scrapes (counter). */
  scrapeErrors: 'ciliumscope_target_scrape_errors_total',
  /** {node, version}: always 1. */
  agentInfo: 'ciliumscope_agent_info',
  /** {node, state}. */
  endpoints: 'ciliumscope_endpoints',
  /** {node}: every endpoint including host and health. */
  endpointsTotal: 'ciliumscope_endpoints_total',
  /** {node}: endpoints that are pods. */
  podEndpoints: 'ciliumscope_pod_endpoints',
  /** {node, outcome}: counter. */
  regenerations: 'ciliumscope_endpoint_regenerations_total',
  /** {node, le}: the cumulative buckets of the regeneration-time histogram (counters). */
  regenerationBuckets: 'ciliumscope_endpoint_regeneration_seconds_bucket',
  /** {node, direction}: counters. */
  forwardedPackets: 'ciliumscope_forwarded_packets_total',
  forwardedBytes: 'ciliumscope_forwarded_bytes_total',
  /** {node, direction, reason}: counters. */
  droppedPackets: 'ciliumscope_dropped_packets_total',
  droppedBytes: 'ciliumscope_dropped_bytes_total',
  /** {node}. */
  policies: 'ciliumscope_policies',
  policyMaxRevision: 'ciliumscope_policy_max_revision',
  /** {node}: failed policy imports (counter). */
  policyImportErrors: 'ciliumscope_policy_import_errors_total',
  /** {node, enforcement}: endpoints per enforcement mode. */
  enforcement: 'ciliumscope_policy_enforcement_endpoints',
  /** {node}: agent restarts the exporter detected (counter). */
  agentRestarts: 'ciliumscope_agent_restarts_total',
  /** {node}: pods Running or Pending, not hostNetwork, scheduled on the node (written by the Kubernetes join). */
  pods: 'ciliumscope_pods',
  /** {node}: of those, pods without a CiliumEndpoint. */
  unmanagedPods: 'ciliumscope_unmanaged_pods',
  /** {node}: pods minus pod endpoints. */
  endpointPodDelta: 'ciliumscope_endpoint_pod_delta',
  /** {node, direction, reason}: the detector's baseline and upper band of the drop rate (packets/s), and its score. */
  dropRateBaseline: 'ciliumscope_drop_rate_baseline',
  dropRateUpperBand: 'ciliumscope_drop_rate_upper_band',
  dropAnomalyScore: 'ciliumscope_drop_anomaly_score',
  /** {node}: 1 while the node's drop series are still in the detector's warm-up. */
  dropAnomalyWarmingUp: 'ciliumscope_drop_anomaly_warming_up',
  /**
   * {node, source_namespace, source_workload, destination_namespace, destination_workload, reason, direction}: packets
   * of a kept workload pair, or of the node's "(other)" rows (counter, written by the Hubble model at the time the
   * node's Hubble data was read).
   */
  workloadDroppedPackets: 'ciliumscope_workload_dropped_packets_total',
} as const;

/** The history clock of a node's agent samples; the anomaly detector writes at the same clock. */
export function agentClock(node: string): string {
  return `agent/${node}`;
}

/** The history clock of a node's Hubble samples: its Hubble metrics page, or the relay flows settled in a cycle. */
export function hubbleClock(node: string): string {
  return `hubble/${node}`;
}

/** Adds a module's own series to a cycle's point (Kubernetes join, anomaly detector). */
export type SeriesContributor = (writer: HistoryWriter, model: ClusterModel, cycleStart: number) => void;

export class HistoryRecorder {
  private readonly contributors: SeriesContributor[] = [];

  constructor(private readonly history: RingHistory) {}

  addContributor(contributor: SeriesContributor): void {
    this.contributors.push(contributor);
  }

  record(model: ClusterModel, cycleStart: number): void {
    const w = this.history.begin(cycleStart);
    for (const node of model.nodes()) {
      writeNode(w, model, node, cycleStart);
    }
    const operator = model.operator();
    if (operator) {
      writeTarget(w, 'operator', operator.target, 'operator', cycleStart);
    }
    for (const hubble of model.hubbleTargets()) {
      writeTarget(w, hubbleClock(hubble.target.node), hubble, 'hubble', cycleStart);
    }
    for (const contribute of this.contributors) {
      contribute(w, model, cycleStart);
    }
    w.commit();
  }
}

/** A target's state in a cycle where it was scraped, at its scrape's time; the writer at that time, or null. */
function writeTarget(
  hw: HistoryWriter,
  clock: string,
  target: TargetState,
  component: string,
  cycleStart: number
): SampleWriter | null {
  const at = target.lastScrape;
  if (at === null || at < cycleStart) {
    return null;
  }
  const w = hw.at(clock, at);
  const labels = { node: target.target.node, component };
  w.put(SERIES.up, labels, target.up ? 1 : 0);
  if (target.durationMs !== null) {
    w.put(SERIES.scrapeDurationSeconds, labels, target.durationMs / 1000);
  }
  return w;
}

function writeNode(hw: HistoryWriter, model: ClusterModel, node: NodeState, cycleStart: number): void {
  const n = node.name;
  const target = node.agent;
  const w = writeTarget(hw, agentClock(n), target, 'agent', cycleStart);
  const s = node.sample;
  // Only a sample taken in this scrape: a failed scrape adds no sample, as a withdrawn series adds none to Prometheus.
  if (!w || !s || node.sampleAt !== target.lastScrape) {
    return;
  }
  for (const [state, count] of Object.entries(s.endpointStates)) {
    w.put(SERIES.endpoints, { node: n, state }, count);
  }
  const podEndpoints = model.podEndpoints(node);
  if (podEndpoints !== null) {
    w.put(SERIES.podEndpoints, { node: n }, podEndpoints);
  }
  putIfKnown(w.put, SERIES.policies, { node: n }, s.policies);
  putIfKnown(w.put, SERIES.policyMaxRevision, { node: n }, s.policyMaxRevision);
  for (const [enforcement, count] of Object.entries(s.enforcement)) {
    w.put(SERIES.enforcement, { node: n, enforcement }, count);
  }
  w.putCounter(SERIES.agentRestarts, { node: n }, node.restarts);
  for (const [outcome, total] of Object.entries(s.regenerations)) {
    w.putCounter(SERIES.regenerations, { node: n, outcome }, total);
  }
  const h = s.regenerationTime;
  h?.upperBounds.forEach((le, i) =>
    w.putCounter(SERIES.regenerationBuckets, { node: n, le: formatValue(le) }, h.cumulativeCounts[i])
  );
  for (const f of s.forwarded) {
    w.putCounter(SERIES.forwardedPackets, { node: n, direction: f.direction }, f.packets);
    putIfKnown(w.putCounter, SERIES.forwardedBytes, { node: n, direction: f.direction }, f.bytes);
  }
  for (const d of s.dropped) {
    w.putCounter(SERIES.droppedPackets, { node: n, direction: d.direction, reason: d.reason }, d.packets);
    putIfKnown(w.putCounter, SERIES.droppedBytes, { node: n, direction: d.direction, reason: d.reason }, d.bytes);
  }
  putIfKnown(w.putCounter, SERIES.policyImportErrors, { node: n }, s.policyImportErrors);
}

function putIfKnown(
  put: (metric: string, labels: Record<string, string>, value: number) => void,
  metric: string,
  labels: Record<string, string>,
  value: number | null
): void {
  if (value !== null && Number.isFinite(value)) {
    put(metric, labels, value);
  }
}
