/**
 * The agents' series: each fresh node's normalised sample, stamped with the time of the agent's scrape it comes
 * from (as federation carries sample times), so Prometheus stores them at the times the embedded history does and
 * a rate over either is the same number (see the README's History section for what this changes).
 */
import type { AgentSample, DropCounter, TrafficCounter } from '../cilium/sample';
import { type SampleFamily, familiesOf } from './family';
import type { ModelView } from './view';

const family = familiesOf<ModelView>();

/**
 * The label names and fill of a family with rows per fresh node: the rows of each node's sample (a null value is no
 * row), stamped with the sample's time. A node's rows never repeat a label set, so they are written as they come.
 */
function nodeRows<R, L extends string>(
  labelNames: readonly L[],
  rows: (s: AgentSample) => Iterable<R>,
  labels: (node: string, row: R) => Record<L, string>,
  value: (row: R) => number | null
): Pick<SampleFamily<ModelView, L>, 'labelNames' | 'unique' | 'fill'> {
  return {
    labelNames,
    unique: true,
    fill: (m, emit) => {
      for (const n of m.freshNodes()) {
        for (const row of rows(n.sample)) {
          const v = value(row);
          if (v !== null) {
            emit(labels(n.name, row), v, n.sampleAt);
          }
        }
      }
    },
  };
}

/** One value per fresh node. */
const perNode = (pick: (s: AgentSample) => number | null) =>
  nodeRows(
    ['node'],
    (s) => [s],
    (node) => ({ node }),
    pick
  );

/** One value per fresh node and key of a record of the sample, the key as label `label`. */
const perNodeAnd = <K extends string>(label: K, pick: (s: AgentSample) => Record<string, number>) =>
  nodeRows(
    ['node', label],
    (s) => Object.entries(pick(s)),
    (node, [key]) => ({ node, [label]: key }) as Record<'node' | K, string>,
    ([, v]) => v
  );

/** Forwarded traffic per fresh node and direction. */
const perDirection = (pick: (f: TrafficCounter) => number | null) =>
  nodeRows(
    ['node', 'direction'],
    (s) => s.forwarded,
    (node, f) => ({ node, direction: f.direction }),
    pick
  );

/** Dropped traffic per fresh node, direction and reason. */
const perDrop = (pick: (d: DropCounter) => number | null) =>
  nodeRows(
    ['node', 'direction', 'reason'],
    (s) => s.dropped,
    (node, d) => ({ node, direction: d.direction, reason: d.reason }),
    pick
  );

export const AGENT_FAMILIES = [
  family({
    name: 'ciliumscope_agent_info',
    type: 'gauge',
    help: 'Cilium agent version per node (always 1).',
    labelNames: ['node', 'version'],
    fill: (m, emit) =>
      m
        .freshNodes()
        .forEach((n) => emit({ node: n.name, version: n.sample.ciliumVersion ?? 'unknown' }, 1, n.sampleAt)),
  }),
  family({
    name: 'ciliumscope_agent_restarts_total',
    type: 'counter',
    help: 'Agent restarts the exporter detected (process start time changed or counters went down) since it started.',
    labelNames: ['node'],
    fill: (m, emit) => m.model.nodes().forEach((n) => emit({ node: n.name }, n.restarts, n.sampleAt)),
  }),
  family({
    name: 'ciliumscope_endpoints',
    type: 'gauge',
    help: 'Endpoints per node and state, as the agent names states (ready, regenerating, ...). Host and health endpoints included.',
    ...perNodeAnd('state', (s) => s.endpointStates),
  }),
  family({
    name: 'ciliumscope_endpoints_total',
    type: 'gauge',
    help: 'All endpoints the agent manages, host and health endpoints included (cilium_endpoint).',
    ...perNode((s) => s.endpoints),
  }),
  family({
    name: 'ciliumscope_pod_endpoints',
    type: 'gauge',
    help: "Endpoints that are pods: the agent's endpoints minus its host and health endpoints (--non-pod-endpoints).",
    labelNames: ['node'],
    fill: (m, emit) =>
      m.freshNodes().forEach((n) => {
        const v = m.model.podEndpoints(n);
        if (v !== null) {
          emit({ node: n.name }, v, n.sampleAt);
        }
      }),
  }),
  family({
    name: 'ciliumscope_endpoint_regenerations_total',
    type: 'counter',
    help: "Endpoint regenerations completed, by outcome (success, failure); the agent's cumulative counter.",
    ...perNodeAnd('outcome', (s) => s.regenerations),
  }),
  family({
    name: 'ciliumscope_forwarded_packets_total',
    type: 'counter',
    help: "Packets forwarded by the agent's datapath, by direction (INGRESS, EGRESS); the agent's cumulative counter.",
    ...perDirection((f) => f.packets),
  }),
  family({
    name: 'ciliumscope_forwarded_bytes_total',
    type: 'counter',
    help: "Bytes forwarded by the agent's datapath, by direction; the agent's cumulative counter.",
    ...perDirection((f) => f.bytes),
  }),
  family({
    name: 'ciliumscope_dropped_packets_total',
    type: 'counter',
    help: 'Packets dropped by the agent\'s datapath, by direction and reason (the agent\'s reason string, e.g. "Policy denied"); cumulative.',
    ...perDrop((d) => d.packets),
  }),
  family({
    name: 'ciliumscope_dropped_bytes_total',
    type: 'counter',
    help: "Bytes dropped by the agent's datapath, by direction and reason; cumulative.",
    ...perDrop((d) => d.bytes),
  }),
  family({
    name: 'ciliumscope_policies',
    type: 'gauge',
    help: 'Network policies loaded in the agent (cilium_policy).',
    ...perNode((s) => s.policies),
  }),
  family({
    name: 'ciliumscope_policy_max_revision',
    type: 'gauge',
    help: 'Highest policy revision in the agent; differences between nodes show policy propagation lag.',
    ...perNode((s) => s.policyMaxRevision),
  }),
  family({
    name: 'ciliumscope_policy_import_errors_total',
    type: 'counter',
    help: 'Failed policy imports: cilium_policy_import_errors_total on old agents, cilium_policy_change_total{outcome="failure"} on 1.14+; cumulative.',
    ...perNode((s) => s.policyImportErrors),
  }),
  family({
    name: 'ciliumscope_policy_enforcement_endpoints',
    type: 'gauge',
    help: 'Endpoints per policy enforcement mode (none, ingress, egress, both, audit-*).',
    ...perNodeAnd('enforcement', (s) => s.enforcement),
  }),
  family({
    name: 'ciliumscope_identities',
    type: 'gauge',
    help: 'Security identities allocated, summed over type.',
    ...perNode((s) => s.identities),
  }),
  family({
    name: 'ciliumscope_unreachable_nodes',
    type: 'gauge',
    help: 'Nodes this agent cannot reach (cilium-health).',
    ...perNode((s) => s.unreachableNodes),
  }),
  family({
    name: 'ciliumscope_unreachable_health_endpoints',
    type: 'gauge',
    help: 'Health endpoints this agent cannot reach.',
    ...perNode((s) => s.unreachableHealthEndpoints),
  }),
  family({
    name: 'ciliumscope_controllers_failing',
    type: 'gauge',
    help: 'Agent controllers currently failing.',
    ...perNode((s) => s.controllersFailing),
  }),
  family({
    name: 'ciliumscope_bpf_map_pressure',
    type: 'gauge',
    help: "Fill ratio (0..1) of BPF maps the agent reports (only maps above Cilium's reporting threshold).",
    ...perNodeAnd('map_name', (s) => s.bpfMapPressure),
  }),
  family({
    name: 'ciliumscope_ip_addresses',
    type: 'gauge',
    help: 'IP addresses allocated on the node by family.',
    ...perNodeAnd('family', (s) => s.ipAddresses),
  }),
  family({
    name: 'ciliumscope_endpoint_regeneration_seconds',
    type: 'histogram',
    help: "Total endpoint regeneration time (cilium_endpoint_regeneration_time_stats_seconds, scope total), the agent's buckets.",
    labelNames: ['node'],
    fill: (m, emit) =>
      m
        .freshNodes()
        .forEach((n) => n.sample.regenerationTime && emit({ node: n.name }, n.sample.regenerationTime, n.sampleAt)),
  }),
];
