/**
 * Ground truth: per node, exactly what a scrape of the simulator returns right now, in the exporter's normalised
 * sample model, plus the Kubernetes-side pod counts the exporter's join should arrive at.
 */
import type { AgentSample, CumulativeHistogram, OperatorSample } from '../exporter/cilium/sample';
import type { AgentState } from './agent';
import type { Histogram } from './histogram';
import { compareStrings } from './values';
import type { ActiveSpike, SimNode, SimulatedCluster } from './cluster';
import type { FaultKind } from './faults';
import type { OwnerKind, PodPhase } from './model';
import { identityCounts, ipAddressCounts } from './render/agent-dynamic';
import { operatorUnmanagedPods } from './render/operator-page';
import { type UnmanagedTruth, unmanagedTruth } from './kube/truth';
import type { RelayTruth, SimulatedRelay } from './hubble/relay';
import { type HubbleNodeTruth, hubbleTruth } from './hubble/truth';

export interface UnmanagedPodTruth {
  namespace: string;
  name: string;
  phase: PodPhase;
  ownerKind: OwnerKind;
  ownerName: string;
}

export interface NodePodsTruth {
  /** Every pod bound to the node, any phase. */
  total: number;
  running: number;
  pending: number;
  succeeded: number;
  failed: number;
  hostNetwork: number;
  /** Running or Pending, not hostNetwork, not terminating: the pods that should have an endpoint. */
  eligible: number;
  /** Eligible pods with a CiliumEndpoint of the same namespace/name. */
  managed: number;
  /** Eligible pods without one. */
  unmanaged: number;
  /** Running or Pending, not hostNetwork, with a deletionTimestamp (counted apart). */
  terminating: number;
  /** Terminating pods whose endpoint still exists. */
  terminatingManaged: number;
  unmanagedPods: UnmanagedPodTruth[];
}

export interface NodeTruth {
  name: string;
  internalIP: string;
  podCIDR: string;
  fault: FaultKind;
  /** What the node's agent page shows now; null when no agent runs on the node. */
  agent: AgentSample | null;
  pods: NodePodsTruth;
}

export interface OperatorTruth {
  fault: FaultKind;
  sample: OperatorSample;
}

export interface ClusterTruth {
  nodes: number;
  /** Every pod, scheduled or not. */
  pods: number;
  unscheduledPods: number;
  policies: number;
  policyRevision: number;
  identities: number;
}

/**
 * `GET /truth` serialises this as JSON; histogram bounds of +Infinity become the string "+Inf" there.
 */
export interface SimulatorTruth {
  tick: number;
  /** Simulated Unix seconds. */
  timeSeconds: number;
  tickSeconds: number;
  seed: number;
  ciliumVersion: string;
  scenario: string;
  nodes: Record<string, NodeTruth>;
  operator: OperatorTruth;
  cluster: ClusterTruth;
  spikes: ActiveSpike[];
  /** Unmanaged pods as a correct exporter reports them (`UnmanagedPodsResponse` terms). */
  unmanaged: UnmanagedTruth;
  /** Hubble: per node, the drops attributed to flows since the agent started, and the page's form and mode ({} when Hubble is off). */
  hubble: Record<string, HubbleNodeTruth>;
  /** The simulated Hubble Relay's flows written, lost events, unavailable nodes; null when it is off. */
  relay: RelayTruth | null;
}

export function agentSample(cluster: SimulatedCluster, agent: AgentState): AgentSample {
  const totals = agent.regenerations.totals();
  return {
    ciliumVersion: cluster.version.full,
    endpoints: agent.endpoints.size,
    endpointStates: agent.endpointStateCounts(),
    regenerations: agent.regenerations.outcomes(),
    regenerationTime: totals.length === 0 ? null : sumHistograms(totals),
    forwarded: (['EGRESS', 'INGRESS'] as const).map((direction) => ({ direction, ...agent.forwarded[direction] })),
    dropped: agent
      .dropSeries()
      .map((d) => ({ direction: d.direction, reason: d.reason, packets: d.packets, bytes: d.bytes })),
    policies: agent.policies,
    policyMaxRevision: agent.policyRevision,
    policyImportErrors: agent.policyChanges.failure,
    enforcement: agent.enforcementCounts(),
    identities: Object.values(identityCounts(agent, cluster.clusterLocalIdentities())).reduce((a, b) => a + b, 0),
    unreachableNodes: agent.health.unreachableNodes,
    unreachableHealthEndpoints: agent.health.unreachableHealthEndpoints,
    controllersFailing: agent.health.controllersFailing,
    bpfMapPressure: sortedRecord(agent.health.bpfMapPressure),
    ipAddresses: ipAddressCounts(agent),
    processStartTimeSeconds: agent.health.processStartTimeSeconds,
  };
}

function sumHistograms(histograms: readonly Histogram[]): CumulativeHistogram {
  const upperBounds = [...histograms[0].upperBounds, Infinity];
  const cumulativeCounts = new Array<number>(upperBounds.length).fill(0);
  let sum = 0;
  let count = 0;
  for (const h of histograms) {
    h.cumulative().forEach((c, i) => (cumulativeCounts[i] += c));
    sum += h.sum;
    count += h.count;
  }
  return { upperBounds, cumulativeCounts, sum, count };
}

export function nodePods(node: SimNode): NodePodsTruth {
  const truth: NodePodsTruth = {
    total: 0,
    running: 0,
    pending: 0,
    succeeded: 0,
    failed: 0,
    hostNetwork: 0,
    eligible: 0,
    managed: 0,
    unmanaged: 0,
    terminating: 0,
    terminatingManaged: 0,
    unmanagedPods: [],
  };
  for (const pod of node.pods.values()) {
    truth.total++;
    switch (pod.phase) {
      case 'Running':
        truth.running++;
        break;
      case 'Pending':
        truth.pending++;
        break;
      case 'Succeeded':
        truth.succeeded++;
        break;
      case 'Failed':
        truth.failed++;
        break;
    }
    if (pod.hostNetwork) {
      truth.hostNetwork++;
      continue;
    }
    if (pod.phase !== 'Running' && pod.phase !== 'Pending') {
      continue;
    }
    if (pod.deletionTimestamp !== null) {
      truth.terminating++;
      truth.terminatingManaged += pod.endpoint ? 1 : 0;
      continue;
    }
    truth.eligible++;
    if (pod.endpoint) {
      truth.managed++;
    } else {
      truth.unmanaged++;
      truth.unmanagedPods.push({
        namespace: pod.namespace,
        name: pod.name,
        phase: pod.phase,
        ownerKind: pod.ownerKind,
        ownerName: pod.ownerName,
      });
    }
  }
  truth.unmanagedPods.sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name));
  return truth;
}

export function operatorSample(cluster: SimulatedCluster): OperatorSample {
  const op = cluster.operator;
  const { naming } = cluster;
  return {
    unmanagedPods: naming.operatorUnmanagedPods ? operatorUnmanagedPods(cluster) : null,
    ipamIps: sortedRecord(op.totals()),
    ipamNodes: sortedRecord(op.nodesByCategory()),
    identityGcEntries: naming.operatorIdentityGc ? sortedRecord(op.identityGcEntries) : {},
    identityGcRuns: naming.operatorIdentityGc ? sortedRecord(op.identityGcRuns) : {},
    processStartTimeSeconds: op.processStartTimeSeconds,
  };
}

export function clusterTruth(
  cluster: SimulatedCluster,
  faultOf: (node: string) => FaultKind,
  operatorFault: FaultKind,
  only?: string,
  ciliumEndpointCRD = true,
  relay: SimulatedRelay | null = null
): SimulatorTruth {
  const nodes: Record<string, NodeTruth> = {};
  for (const node of cluster.nodes) {
    if (only !== undefined && node.name !== only) {
      continue;
    }
    nodes[node.name] = {
      name: node.name,
      internalIP: node.internalIP,
      podCIDR: node.podCIDR,
      fault: faultOf(node.name),
      agent: node.agent ? agentSample(cluster, node.agent) : null,
      pods: nodePods(node),
    };
  }
  return {
    tick: cluster.tickCount,
    timeSeconds: cluster.nowSeconds,
    tickSeconds: cluster.tickSeconds,
    seed: cluster.seed,
    ciliumVersion: cluster.version.full,
    scenario: cluster.scenario.name,
    nodes,
    operator: { fault: operatorFault, sample: operatorSample(cluster) },
    cluster: {
      nodes: cluster.nodes.length,
      pods: cluster.listPods().length,
      unscheduledPods: cluster.unscheduledPods.length,
      policies: cluster.policies,
      policyRevision: cluster.policyRevision,
      identities: cluster.clusterIdentities(),
    },
    spikes: cluster.activeSpikes(),
    unmanaged: unmanagedTruth(cluster, ciliumEndpointCRD, only),
    hubble: cluster.hubble ? hubbleTruth(cluster.hubble, only) : {},
    relay: relay?.truth() ?? null,
  };
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(record).sort(compareStrings)) {
    out[key] = record[key];
  }
  return out;
}

/** JSON.stringify replacer for truth: +Infinity bounds as "+Inf". */
export function truthJsonReplacer(_key: string, value: unknown): unknown {
  return value === Infinity ? '+Inf' : value;
}
