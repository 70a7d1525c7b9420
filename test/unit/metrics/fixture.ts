/**
 * A fixed cluster for the /metrics tests: three agents, an operator and the agents' Hubble metrics scraped over three
 * cycles on a fixed clock (n1 healthy and restarted once, n2 failing now but still fresh, n3 stale), the embedded
 * history, the drop anomaly detector and the Hubble model fed by those cycles, and fixed Kubernetes, Hubble Relay and
 * Prometheus-backend numbers (hubble-fixture.ts has the Hubble side). Every family has
 * something to write, including the cases that withdraw or skip a sample (stale node, unknown values, NaN).
 */
import type { AgentSample, OperatorSample } from '../../../exporter/cilium/sample';
import { type AnomalyDetection, createAnomalyDetection } from '../../../exporter/anomaly/attach';
import { defaultAnomalyConfig } from '../../../exporter/anomaly/params';
import type { RequestStats } from '../../../exporter/history/prometheus/client';
import { RingHistory } from '../../../exporter/history/ring';
import { type HubbleMetricsSource, startHubble } from '../../../exporter/hubble';
import type { KubeMetricsSource } from '../../../exporter/kube';
import type { WatcherStatus } from '../../../exporter/kube/informer';
import type { NodeNumbers } from '../../../exporter/kube/report';
import { silentLogger } from '../../../exporter/log';
import { ClusterModel, type ScrapedSample } from '../../../exporter/model/cluster';
import { HistoryRecorder } from '../../../exporter/model/series';
import type { ScrapeErrorKind, ScrapeOutcome } from '../../../exporter/scrape/client';
import type { ScrapeTarget } from '../../../exporter/scrape/targets';
import { HUBBLE_NODES, HUBBLE_SETTINGS, RELAY, hubblePage } from './hubble-fixture';

export const T0 = 1_700_000_000_000;
export const INTERVAL_MS = 60_000;
/** The scrape of /metrics happens here: n3's last success (T0) is then older than --stale-after (90 s). */
export const NOW = T0 + 2 * INTERVAL_MS + 5_000;

const target = (component: ScrapeTarget['component'], node: string, port: number): ScrapeTarget => ({
  id: `${component}/${node}`,
  component,
  node,
  url: `http://${node}:${port}/metrics`,
  source: 'static',
});
const agent = (node: string) => target('agent', node, 9962);
const HUBBLE_TARGETS = HUBBLE_NODES.map((node) => target('hubble', node, 9965));
const OPERATOR = target('operator', 'n1', 9963);
const TARGETS = [agent('n1'), agent('n2'), agent('n3'), OPERATOR, ...HUBBLE_TARGETS];

function agentSample(cycle: number, overrides: Partial<AgentSample> = {}): AgentSample {
  return {
    ciliumVersion: '1.16.3',
    endpoints: 12,
    endpointStates: { ready: 10, regenerating: 2 },
    regenerations: { success: 100 + cycle, failure: 2 },
    regenerationTime: {
      upperBounds: [0.5, 1, Infinity],
      cumulativeCounts: [90 + cycle, 101 + cycle, 102 + cycle],
      sum: 40.25 + cycle,
      count: 102 + cycle,
    },
    forwarded: [
      { direction: 'INGRESS', packets: 1000 * (cycle + 1), bytes: 64000 * (cycle + 1) },
      { direction: 'EGRESS', packets: 800 * (cycle + 1), bytes: 51200 * (cycle + 1) },
    ],
    dropped: [
      { direction: 'INGRESS', reason: 'Policy denied', packets: 10 + 60 * cycle, bytes: 640 + 3840 * cycle },
      { direction: 'EGRESS', reason: 'Stale or unroutable IP', packets: 3, bytes: null },
    ],
    policies: 5,
    policyMaxRevision: 42 + cycle,
    policyImportErrors: 1,
    enforcement: { none: 3, both: 7 },
    identities: 20,
    unreachableNodes: 0,
    unreachableHealthEndpoints: 1,
    controllersFailing: 0,
    bpfMapPressure: { lb4_services_v2: 0.93 },
    ipAddresses: { ipv4: 12, ipv6: 12 },
    processStartTimeSeconds: 1_699_990_000,
    ...overrides,
  };
}

/** An old agent: no version, no byte counts, no regeneration histogram, no import errors, a NaN revision. */
function oldAgentSample(cycle: number): AgentSample {
  return agentSample(cycle, {
    ciliumVersion: null,
    endpoints: 1,
    endpointStates: { ready: 1 },
    regenerationTime: null,
    forwarded: [{ direction: 'INGRESS', packets: 50 * (cycle + 1), bytes: null }],
    dropped: [{ direction: 'INGRESS', reason: 'Policy denied', packets: 5 * (cycle + 1), bytes: null }],
    policyMaxRevision: Number.NaN,
    policyImportErrors: null,
    enforcement: {},
    bpfMapPressure: {},
    ipAddresses: { ipv4: 3 },
  });
}

const OPERATOR_SAMPLE: OperatorSample = {
  unmanagedPods: 1,
  ipamIps: { available: 100, used: 20 },
  ipamNodes: { total: 3, 'in-deficit': 0 },
  identityGcEntries: { alive: 10, deleted: 2 },
  identityGcRuns: { success: 5 },
  processStartTimeSeconds: 1_699_990_000,
};

type Outcome = ScrapeOutcome<ScrapedSample>;
const ok = (value: ScrapedSample, bytes: number, durationMs: number): Outcome => ({
  ok: true,
  value,
  bytes,
  durationMs,
  contentType: 'text/plain',
});
const failed = (kind: ScrapeErrorKind, durationMs: number): Outcome => ({
  ok: false,
  kind,
  error: `${kind} error`,
  durationMs,
});

/** Outcomes per cycle and target id. */
function outcomes(cycle: number): Record<string, Outcome> {
  // n1 restarts before the second cycle (new process start time).
  const n1Start = cycle === 0 ? 1_699_990_000 : 1_700_000_030;
  return {
    'agent/n1': ok(
      { component: 'agent', sample: agentSample(cycle, { processStartTimeSeconds: n1Start }) },
      150_000 + cycle,
      120 + cycle
    ),
    'agent/n2':
      cycle < 2 ? ok({ component: 'agent', sample: oldAgentSample(cycle) }, 40_000, 80) : failed('timeout', 10_000),
    'agent/n3':
      cycle === 0
        ? ok({ component: 'agent', sample: agentSample(cycle, { ciliumVersion: '1.14.0' }) }, 90_000, 95)
        : failed(cycle === 1 ? 'connect' : 'http', 3),
    'operator/n1': ok({ component: 'operator', sample: OPERATOR_SAMPLE }, 30_000, 40),
    ...Object.fromEntries(
      HUBBLE_TARGETS.map((t) => {
        const page = hubblePage(cycle, t.node);
        return [t.id, page ? ok(page, 8_000 + cycle, 15) : failed(cycle === 1 ? 'connect' : 'timeout', 5_000)];
      })
    ),
  };
}

export interface MetricsFixture {
  model: ClusterModel;
  history: RingHistory;
  anomaly: AnomalyDetection;
  kube: KubeMetricsSource;
  hubble: HubbleMetricsSource;
  prometheus: RequestStats;
  version: string;
}

const watcher = (resource: string, s: Partial<WatcherStatus>): WatcherStatus => ({
  resource,
  synced: true,
  inSync: true,
  absent: false,
  lastSyncAt: NOW,
  lastSyncAgeSeconds: 0,
  restarts: 0,
  lists: 1,
  objects: 0,
  resourceVersion: '1',
  error: null,
  ...s,
});

export function metricsFixture(): MetricsFixture {
  let clock = T0;
  const model = new ClusterModel({ staleAfterMs: 90_000, nonPodEndpoints: 2, now: () => clock });
  const history = new RingHistory({ retentionMs: 3_600_000, intervalMs: INTERVAL_MS, maxBytes: 64 * 1024 * 1024 });
  const recorder = new HistoryRecorder(history);
  const anomaly = createAnomalyDetection(defaultAnomalyConfig(), silentLogger);
  // As the exporter starts it: before the recorder, which writes the Hubble model's rows.
  const hubble = startHubble(HUBBLE_SETTINGS, { model, staleAfterMs: 90_000, log: silentLogger, lookup: () => null });
  model.onCycle((m, stats) => anomaly.onCycle(m, stats.startedAt));
  recorder.addContributor((w, m, cycleStart) => anomaly.contribute(w, m, cycleStart));
  recorder.addContributor(hubble.contributor);
  model.onCycle((m, stats) => recorder.record(m, stats.startedAt));

  for (let cycle = 0; cycle < 3; cycle++) {
    const startedAt = T0 + cycle * INTERVAL_MS;
    clock = startedAt;
    model.beginCycle(startedAt, TARGETS);
    const byId = outcomes(cycle);
    for (const target of TARGETS) {
      model.recordScrape(target, byId[target.id], startedAt);
    }
    const failedCount = Object.values(byId).filter((o) => !o.ok).length;
    clock = startedAt + 250;
    // The last cycle overran the interval once.
    model.endCycle({
      startedAt,
      durationMs: 250 + cycle,
      targets: TARGETS.length,
      succeeded: TARGETS.length - failedCount,
      failed: failedCount,
      overruns: cycle === 2 ? 1 : 0,
    });
  }
  clock = NOW;

  const numbers: NodeNumbers[] = [
    { node: 'n1', pods: 11, terminating: 1, hasAgent: true, unmanaged: 1, podEndpoints: 10, delta: 1 },
    { node: 'n2', pods: 0, terminating: 0, hasAgent: true, unmanaged: 0, podEndpoints: null, delta: null },
    { node: 'n9', pods: 4, terminating: 0, hasAgent: false, unmanaged: null, podEndpoints: null, delta: null },
    { node: 'n10', pods: 1, terminating: 1, hasAgent: false, unmanaged: null, podEndpoints: null, delta: null },
  ];
  const watchers = [
    watcher('pods', { objects: 16, lists: 2, restarts: 1 }),
    watcher('ciliumendpoints', {
      inSync: false,
      lastSyncAt: NOW - 12_000,
      lastSyncAgeSeconds: 12,
      objects: 11,
      restarts: 3,
    }),
    watcher('ciliumnodes', {
      synced: false,
      inSync: false,
      lastSyncAt: null,
      lastSyncAgeSeconds: null,
      absent: true,
      lists: 0,
    }),
  ];
  return {
    model,
    history,
    anomaly,
    kube: {
      freshNumbers: () => numbers,
      watchers: () => watchers,
      source: () => 'ciliumendpoints',
      discovered: () => TARGETS,
      hubbleDiscovery: true,
    },
    hubble: { ...hubble.metrics, relay: RELAY },
    prometheus: { outcomes: { success: 7, error: 1 }, lastSuccessAt: T0 + 2 * INTERVAL_MS + 1_500 },
    version: '1.2.3-test',
  };
}
