/**
 * Answers built from the join and what the scrapes know about agents: per-node numbers (for /metrics, the history
 * and the node list) and the unmanaged-pods answer of the API. Pure functions of a `JoinView`.
 *
 * A node's pods are Running or Pending, not hostNetwork; terminating ones are listed apart and never unmanaged, but
 * stay in the pod count compared with the agent's endpoints, since the agent still counts theirs until they go.
 * A node's pods are judged only where a Cilium agent runs: a node with no agent target, or whose agent has been
 * tried and never answered, is reported as "without agent" with its pod count, not as that many unmanaged pods.
 * Without CiliumEndpoints (the CRD is not installed) the unmanaged count falls back to pods − pod endpoints.
 */
import type { UnmanagedPod, UnmanagedPodsResponse, UnmanagedSource } from '../../src/contract';
import type { PodJoin } from './join';
import type { SlimPod } from './objects';

export interface JoinView {
  join: PodJoin;
  /** ciliumendpoints when CEPs are synced, counts when the CRD is absent, none before the first sync. */
  source: UnmanagedSource;
  notice: string | null;
  /** Nodes this replica reports (sharding); every node without sharding. */
  inShard(node: string): boolean;
  /** Nodes with an agent target (static or discovered). */
  agentNodes(): Iterable<string>;
  /** The node's agent was scraped and never answered. */
  agentSilent(node: string): boolean;
  /** Pod endpoints from the node's fresh agent sample; null when unknown or stale. */
  podEndpoints(node: string): number | null;
  syncedAt: number | null;
  stale: boolean;
}

/** Which nodes have an agent: the exporter's own targets, or (query replica) the agents seen in Prometheus. */
export type AgentDirectory = Pick<JoinView, 'agentNodes' | 'agentSilent' | 'podEndpoints'>;

export interface NodeNumbers {
  node: string;
  /** Running or Pending, not hostNetwork: what the agent should have endpoints for (terminating ones included). */
  pods: number;
  /** Of those, pods being deleted (their endpoint may already be gone). */
  terminating: number;
  hasAgent: boolean;
  /** Unmanaged pods; null where no agent runs, or in counts mode without endpoint numbers. */
  unmanaged: number | null;
  /** Pod endpoints reported by the agent; null when unknown. */
  podEndpoints: number | null;
  /** pods − podEndpoints; null when the endpoints are unknown. */
  delta: number | null;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every node with pods or an agent, in this replica's shard, sorted by name. */
export function nodeNumbers(view: JoinView): NodeNumbers[] {
  const agents = new Set<string>();
  for (const node of view.agentNodes()) {
    agents.add(node);
  }
  const names = new Set<string>(agents);
  for (const node of view.join.nodes()) {
    names.add(node);
  }
  const out: NodeNumbers[] = [];
  for (const node of [...names].sort(compare)) {
    if (!view.inShard(node)) {
      continue;
    }
    const tally = view.join.tally(node);
    const terminating = tally?.terminating.size ?? 0;
    const pods = (tally?.pods ?? 0) + terminating;
    const hasAgent = agents.has(node) && !view.agentSilent(node);
    const podEndpoints = hasAgent ? view.podEndpoints(node) : null;
    const delta = podEndpoints === null ? null : pods - podEndpoints;
    let unmanaged: number | null = null;
    if (hasAgent && view.source === 'ciliumendpoints') {
      unmanaged = tally?.unmanaged.size ?? 0;
    } else if (hasAgent && view.source === 'counts' && delta !== null) {
      unmanaged = Math.max(0, delta);
    }
    out.push({ node, pods, terminating, hasAgent, unmanaged, podEndpoints, delta });
  }
  return out;
}

export interface UnmanagedFilter {
  node: Set<string> | null;
  namespace: Set<string> | null;
}

function toUnmanagedPod(pod: SlimPod): UnmanagedPod {
  return {
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    node: pod.node,
    phase: pod.phase as UnmanagedPod['phase'],
    owner: pod.owner,
    startedAt: pod.startedAt,
  };
}

function byPlace(
  a: { node: string; namespace: string; name: string },
  b: { node: string; namespace: string; name: string }
): number {
  return compare(a.node, b.node) || compare(a.namespace, b.namespace) || compare(a.name, b.name);
}

export function unmanagedPodsAnswer(view: JoinView, filter: UnmanagedFilter): UnmanagedPodsResponse {
  const answer: UnmanagedPodsResponse = {
    pods: [],
    source: view.source,
    notice: view.notice,
    countsByNode: [],
    nodesWithoutAgent: [],
    terminating: [],
    syncedAt: view.syncedAt,
    stale: view.stale,
  };
  if (view.source === 'none') {
    return answer;
  }
  const nodeWanted = (node: string) => filter.node === null || filter.node.has(node);
  const nsWanted = (pod: SlimPod) => filter.namespace === null || filter.namespace.has(pod.metadata.namespace);
  for (const n of nodeNumbers(view)) {
    if (!nodeWanted(n.node)) {
      continue;
    }
    const tally = view.join.tally(n.node);
    for (const pod of tally?.terminating.values() ?? []) {
      if (nsWanted(pod)) {
        answer.terminating.push({ namespace: pod.metadata.namespace, name: pod.metadata.name, node: n.node });
      }
    }
    if (!n.hasAgent) {
      if (n.pods - n.terminating > 0) {
        answer.nodesWithoutAgent.push({ node: n.node, pods: n.pods - n.terminating });
      }
      continue;
    }
    if (view.source === 'ciliumendpoints') {
      for (const pod of tally?.unmanaged.values() ?? []) {
        if (nsWanted(pod)) {
          answer.pods.push(toUnmanagedPod(pod));
        }
      }
    } else if (n.podEndpoints !== null && n.delta !== null) {
      answer.countsByNode.push({ node: n.node, pods: n.pods, podEndpoints: n.podEndpoints, delta: n.delta });
    }
  }
  answer.pods.sort(byPlace);
  answer.terminating.sort(byPlace);
  return answer;
}
