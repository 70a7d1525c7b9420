/**
 * The simulated cluster's objects: nodes, pods and the endpoints Cilium agents create for them. The Kubernetes view
 * (pods, CiliumEndpoints) and the agents' metrics are both derived from these, so they always agree.
 */

export type PodPhase = 'Running' | 'Pending' | 'Succeeded' | 'Failed';
export type OwnerKind = 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'Node' | 'None';

/** Endpoint states as the agent names them (cilium_endpoint_state{endpoint_state}). */
export type EndpointState =
  | 'waiting-for-identity'
  | 'not-ready'
  | 'waiting-to-regenerate'
  | 'regenerating'
  | 'restoring'
  | 'ready'
  | 'disconnecting';

/** Policy enforcement modes (cilium_policy_endpoint_enforcement_status{enforcement}). */
export type EnforcementMode = 'none' | 'ingress' | 'egress' | 'both' | 'audit-ingress' | 'audit-egress' | 'audit-both';

export interface SimEndpoint {
  /** Agent-local endpoint id. */
  id: number;
  kind: 'pod' | 'host' | 'health';
  /** "namespace/name" of the pod for pod endpoints. */
  podKey: string | null;
  state: EndpointState;
  /** Ticks spent in the current state. */
  stateTicks: number;
  /** What the pending regeneration is: a full build (new endpoint, restore) or a policy recomputation. */
  pendingRegeneration: 'full' | 'policy' | null;
  identity: number;
  ipv4: string | null;
  enforcement: EnforcementMode;
}

export interface SimPod {
  namespace: string;
  name: string;
  uid: string;
  /** spec.nodeName; null for a pod the scheduler has not placed. */
  nodeName: string | null;
  ownerKind: OwnerKind;
  ownerName: string;
  labels: Record<string, string>;
  phase: PodPhase;
  hostNetwork: boolean;
  /** Unix seconds. */
  creationTimestamp: number;
  /** Unix seconds; null while the kubelet has not started the pod. */
  startTime: number | null;
  /** Unix seconds; set once the pod is being deleted. */
  deletionTimestamp: number | null;
  /** The endpoint (and CiliumEndpoint of the same namespace/name) Cilium created for it; null when unmanaged. */
  endpoint: SimEndpoint | null;
  podIP: string | null;
  /** Workload the pod belongs to (key into the cluster's workload table). */
  workload: string;
  /** Ticks since creation or last phase change, for lifecycle steps. */
  phaseTicks: number;
}

export function podKey(pod: Pick<SimPod, 'namespace' | 'name'>): string {
  return `${pod.namespace}/${pod.name}`;
}

/** Running or Pending and not hostNetwork: the pods that should have an endpoint. */
export function needsEndpoint(pod: SimPod): boolean {
  return (pod.phase === 'Running' || pod.phase === 'Pending') && !pod.hostNetwork;
}
