/**
 * The agents' series: each fresh node's normalised sample, stamped with the time of the agent's scrape it comes
 * from (as federation carries sample times), so Prometheus stores them at the times the embedded history does and
 * a rate over either is the same number (see the README's History section for what this changes).
 */
import type { AgentSample } from '../cilium/sample';
import { type Emit, familiesOf } from './family';
import type { ModelView } from './view';

const family = familiesOf<ModelView>();

/** One value per fresh node. */
const nodeValue =
  (pick: (s: AgentSample) => number | null) =>
  (m: ModelView, emit: Emit<'node'>): void => {
    for (const n of m.freshNodes()) {
      const v = pick(n.sample);
      if (v !== null) {
        emit({ node: n.name }, v, n.sampleAt);
      }
    }
  };

/** One value per fresh node and key of a record of the sample, the key as label `label`. */
const nodeRecord =
  <K extends string>(label: K, pick: (s: AgentSample) => Record<string, number>) =>
  (m: ModelView, emit: Emit<'node' | K>): void => {
    for (const n of m.freshNodes()) {
      for (const [key, v] of Object.entries(pick(n.sample))) {
        emit({ node: n.name, [label]: key } as Record<'node' | K, string>, v, n.sampleAt);
      }
    }
  };

/** Forwarded traffic per fresh node and direction. */
const forwarded =
  (pick: (f: AgentSample['forwarded'][number]) => number | null) =>
  (m: ModelView, emit: Emit<'node' | 'direction'>): void => {
    for (const n of m.freshNodes()) {
      for (const f of n.sample.forwarded) {
        const v = pick(f);
        if (v !== null) {
          emit({ node: n.name, direction: f.direction }, v, n.sampleAt);
        }
      }
    }
  };

/** Dropped traffic per fresh node, direction and reason. */
const dropped =
  (pick: (d: AgentSample['dropped'][number]) => number | null) =>
  (m: ModelView, emit: Emit<'node' | 'direction' | 'reason'>): void => {
    for (const n of m.freshNodes()) {
      for (const d of n.sample.dropped) {
        const v = pick(d);
        if (v !== null) {
          emit({ node: n.name, direction: d.direction, reason: d.reason }, v, n.sampleAt);
        }
      }
    }
  };

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
    labelNames: ['node', 'state'],
    unique: true,
    fill: nodeRecord('state', (s) => s.endpointStates),
  }),
  family({
    name: 'ciliumscope_endpoints_total',
    type: 'gauge',
    help: 'All endpoints the agent manages, host and health endpoints included (cilium_endpoint).',
    labelNames: ['node'],
    unique: true,
    fill: nodeValue((s) => s.endpoints),
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
    labelNames: ['node', 'outcome'],
    unique: true,
    fill: nodeRecord('outcome', (s) => s.regenerations),
  }),
  family({
    name: 'ciliumscope_forwarded_packets_total',
    type: 'counter',
    help: "Packets forwarded by the agent's datapath, by direction (INGRESS, EGRESS); the agent's cumulative counter.",
    labelNames: ['node', 'direction'],
    unique: true,
    fill: forwarded((f) => f.packets),
  }),
  family({
    name: 'ciliumscope_forwarded_bytes_total',
    type: 'counter',
    help: "Bytes forwarded by the agent's datapath, by direction; the agent's cumulative counter.",
    labelNames: ['node', 'direction'],
    unique: true,
    fill: forwarded((f) => f.bytes),
  }),
  family({
    name: 'ciliumscope_dropped_packets_total',
    type: 'counter',
    help: 'Packets dropped by the agent\'s datapath, by direction and reason (the agent\'s reason string, e.g. "Policy denied"); cumulative.',
    labelNames: ['node', 'direction', 'reason'],
    unique: true,
    fill: dropped((d) => d.packets),
  }),
  family({
    name: 'ciliumscope_dropped_bytes_total',
    type: 'counter',
    help: "Bytes dropped by the agent's datapath, by direction and reason; cumulative.",
    labelNames: ['node', 'direction', 'reason'],
    unique: true,
    fill: dropped((d) => d.bytes),
  }),
  family({
    name: 'ciliumscope_policies',
    type: 'gauge',
    help: 'Network policies loaded in the agent (cilium_policy).',
    labelNames: ['node'],
    unique: true,
    fill: nodeValue((s) => s.policies),
  }),
  family({
    name: 'ciliumscope_policy_max_revision',
    type: 'gauge',
    help: 'Highest policy revision in the agent; differences between nodes show policy propagation lag.',
    labelNames: ['node'],
    unique: true,
    fill: nodeValue((s) => s.policyMaxRevision),
  }),
  family({
    name: 'ciliumscope_policy_import_errors_total',
    type: 'counter',
    help: 'Failed policy imports: cilium_policy_import_errors_total on old agents, cilium_policy_change_total{outcome="failure"} on 1.14+; cumulative.',
    labelNames: ['node'],
    unique: true,
    fill: nodeValue((s) => s.policyImportErrors),
  }),
  family({
    name: 'ciliumscope_policy_enforcement_endpoints',
    type: 'gauge',
    help: 'Endpoints per policy enforcement mode (none, ingress, egress, both, audit-*).',
    labelNames: ['node', 'enforcement'],
    unique: true,
    fill: nodeRecord('enforcement', (s) => s.enforcement),
  }),
  family({
    name: 'ciliumscope_identities',
    type: 'gauge',
    help: 'Security identities allocated, summed over type.',
    labelNames: ['node'],
    unique: true,
    fill: nodeValue((s) => s.identities),
  }),
  family({
    name: 'ciliumscope_unreachable_nodes',
    type: 'gauge',
    help: 'Nodes this agent cannot reach (cilium-health).',
    labelNames: ['node'],
    unique: true,
    fill: nodeValue((s) => s.unreachableNodes),
  }),
  family({
    name: 'ciliumscope_unreachable_health_endpoints',
    type: 'gauge',
    help: 'Health endpoints this agent cannot reach.',
    labelNames: ['node'],
    unique: true,
    fill: nodeValue((s) => s.unreachableHealthEndpoints),
  }),
  family({
    name: 'ciliumscope_controllers_failing',
    type: 'gauge',
    help: 'Agent controllers currently failing.',
    labelNames: ['node'],
    unique: true,
    fill: nodeValue((s) => s.controllersFailing),
  }),
  family({
    name: 'ciliumscope_bpf_map_pressure',
    type: 'gauge',
    help: "Fill ratio (0..1) of BPF maps the agent reports (only maps above Cilium's reporting threshold).",
    labelNames: ['node', 'map_name'],
    unique: true,
    fill: nodeRecord('map_name', (s) => s.bpfMapPressure),
  }),
  family({
    name: 'ciliumscope_ip_addresses',
    type: 'gauge',
    help: 'IP addresses allocated on the node by family.',
    labelNames: ['node', 'family'],
    unique: true,
    fill: nodeRecord('family', (s) => s.ipAddresses),
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
