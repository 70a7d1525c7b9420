/**
 * Ground truth for unmanaged pods, in the terms of the contract's `UnmanagedPodsResponse`, so that a test can put
 * the exporter's answer next to it field by field.
 *
 * The rules (reference/cilium/unmanaged-pods.md), applied to every pod bound to a node:
 * - hostNetwork pods, and pods that are neither Running nor Pending, are not counted at all;
 * - a pod with a deletionTimestamp is `terminating`, whatever its endpoint and node;
 * - otherwise, on a node without a Cilium agent, it counts in that node's `nodesWithoutAgent` entry;
 * - otherwise it is unmanaged when no CiliumEndpoint of exactly its namespace and name exists.
 * Unscheduled pods (no node) are never counted against a node.
 */
import type { NodeWithoutAgent, UnmanagedPod, UnmanagedPodsResponse } from '../../src/contract';
import { compareStrings } from '../values';
import type { SimNode, SimulatedCluster } from '../cluster';
import type { SimPod } from '../model';
import { isKubeCaseScenario, type KubeCase, type KubeCaseClass } from '../scenarios/kube-hard-cases';

export interface KubeCaseTruth extends KubeCase {
  /** How the simulator's own model classifies the pod (or node) now; equals `expected` while the case holds. */
  actual: KubeCaseClass | 'absent';
}

export interface UnmanagedTruth {
  /**
   * What a correct exporter can work from: CiliumEndpoints, or only the agents' endpoint counts when the CRD is
   * disabled (then it answers `pods: []` and fills `countsByNode`).
   */
  source: 'ciliumendpoints' | 'counts';
  /** Every unmanaged pod by name, sorted by node, namespace and name (named even when source is `counts`). */
  pods: UnmanagedPod[];
  /**
   * Nodes with an agent, sorted: pods = Running or Pending, not hostNetwork (terminating ones included, as the
   * agent still counts their endpoints), podEndpoints = the agent's endpoints minus host and health.
   */
  countsByNode: UnmanagedPodsResponse['countsByNode'];
  /** Nodes without an agent that have pods to count (Running or Pending, not hostNetwork, not terminating). */
  nodesWithoutAgent: NodeWithoutAgent[];
  terminating: UnmanagedPodsResponse['terminating'];
  /** The labelled hard cases of the kube-hard-cases scenario; empty for other scenarios. */
  cases: KubeCaseTruth[];
}

/** An ISO 8601 time as `Date.prototype.toISOString` writes it (whole seconds, as Kubernetes timestamps are). */
export function isoSeconds(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toISOString();
}

/** How a correct join classifies one pod bound to `node`. */
export function classifyPod(pod: SimPod, node: SimNode | undefined): KubeCaseClass {
  if (!node || pod.hostNetwork || (pod.phase !== 'Running' && pod.phase !== 'Pending')) {
    return 'not-counted';
  }
  if (pod.deletionTimestamp !== null) {
    return 'terminating';
  }
  if (!node.agent) {
    return 'no-agent';
  }
  return pod.endpoint ? 'managed' : 'unmanaged';
}

export function unmanagedTruth(cluster: SimulatedCluster, ciliumEndpointCRD: boolean, only?: string): UnmanagedTruth {
  const pods: UnmanagedPod[] = [];
  const terminating: UnmanagedTruth['terminating'] = [];
  const countsByNode: UnmanagedTruth['countsByNode'] = [];
  const nodesWithoutAgent: NodeWithoutAgent[] = [];
  for (const node of [...cluster.nodes].sort((a, b) => compareStrings(a.name, b.name))) {
    if (only !== undefined && node.name !== only) {
      continue;
    }
    let eligible = 0;
    let withoutAgent = 0;
    for (const pod of node.pods.values()) {
      const verdict = classifyPod(pod, node);
      if (verdict === 'not-counted') {
        continue;
      }
      eligible++;
      if (verdict === 'terminating') {
        terminating.push({ namespace: pod.namespace, name: pod.name, node: node.name });
      } else if (verdict === 'no-agent') {
        withoutAgent++;
      } else if (verdict === 'unmanaged') {
        pods.push({
          namespace: pod.namespace,
          name: pod.name,
          node: node.name,
          phase: pod.phase as UnmanagedPod['phase'],
          owner: pod.ownerKind === 'None' ? null : `${pod.ownerKind}/${pod.ownerName}`,
          startedAt: isoSeconds(pod.startTime ?? pod.creationTimestamp),
        });
      }
    }
    if (node.agent) {
      let podEndpoints = 0;
      for (const endpoint of node.agent.endpoints.values()) {
        podEndpoints += endpoint.kind === 'pod' ? 1 : 0;
      }
      countsByNode.push({ node: node.name, pods: eligible, podEndpoints, delta: eligible - podEndpoints });
    } else if (withoutAgent > 0) {
      nodesWithoutAgent.push({ node: node.name, pods: withoutAgent });
    }
  }
  const byPod = (
    a: { node: string; namespace: string; name: string },
    b: { node: string; namespace: string; name: string }
  ): number =>
    compareStrings(a.node, b.node) || compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name);
  pods.sort(byPod);
  terminating.sort(byPod);
  return {
    source: ciliumEndpointCRD ? 'ciliumendpoints' : 'counts',
    pods,
    countsByNode,
    nodesWithoutAgent,
    terminating,
    cases: caseTruth(cluster, only),
  };
}

function caseTruth(cluster: SimulatedCluster, only: string | undefined): KubeCaseTruth[] {
  const scenario = cluster.scenario;
  if (!isKubeCaseScenario(scenario)) {
    return [];
  }
  const out: KubeCaseTruth[] = [];
  for (const c of scenario.kubeCases()) {
    if (only !== undefined && c.node !== only) {
      continue;
    }
    out.push({ ...c, actual: actualClass(cluster, c) });
  }
  return out;
}

function actualClass(cluster: SimulatedCluster, c: KubeCase): KubeCaseTruth['actual'] {
  if (c.namespace === undefined || c.name === undefined) {
    const node = c.node === null ? undefined : cluster.node(c.node);
    return node && !node.agent ? 'no-agent' : 'absent';
  }
  const key = `${c.namespace}/${c.name}`;
  if (c.node === null) {
    return cluster.unscheduledPods.some((p) => `${p.namespace}/${p.name}` === key) ? 'not-counted' : 'absent';
  }
  const node = cluster.node(c.node);
  const pod = node?.pods.get(key);
  return pod ? classifyPod(pod, node) : 'absent';
}
