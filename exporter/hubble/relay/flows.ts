/**
 * A Hubble flow as decoded from GetFlowsResponse (proto.ts, snake_case, enums by name) → the drop the exporter
 * counts: node, reason in the agent's words, direction, source and destination workloads, protocol and destination
 * port, and the policies that denied it (`egress_denied_by` / `ingress_denied_by`, set by agents that report them).
 */
import { agentReasonOfCode, agentReasonOfHubbleName } from '../catalogue';
import { type EndpointRef, MAX_NAME_LENGTH, normaliseDirection } from '../context';
import { type PodOwnerLookup, workloadOfPod } from '../workload';

export interface WireEndpoint {
  namespace?: string;
  labels?: string[];
  pod_name?: string;
  workloads?: Array<{ name?: string; kind?: string }>;
}

export interface WirePolicy {
  name?: string;
  namespace?: string;
  kind?: string;
}

export interface WireFlow {
  verdict?: string | number;
  drop_reason?: number;
  drop_reason_desc?: string | number;
  node_name?: string;
  traffic_direction?: string | number;
  source?: WireEndpoint;
  destination?: WireEndpoint;
  l4?: Record<string, { destination_port?: number } | string | undefined>;
  egress_denied_by?: WirePolicy[];
  ingress_denied_by?: WirePolicy[];
}

export interface PolicyRef {
  /** CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, NetworkPolicy... as the agent reports it ('' when absent). */
  kind: string;
  namespace: string;
  name: string;
}

export interface DropFlow {
  node: string;
  reason: string;
  direction: string;
  source: EndpointRef;
  destination: EndpointRef;
  /** TCP, UDP, SCTP, ICMPv4, ICMPv6, or '' when the flow has no L4. */
  protocol: string;
  /** Destination port for TCP, UDP and SCTP; null otherwise. */
  port: number | null;
  /** The policies the agent says denied the flow, in its direction; empty when it does not say. */
  policies: PolicyRef[];
}

/** Policies kept per flow at most. */
const MAX_POLICIES = 8;

function clip(value: string | undefined): string {
  const v = value ?? '';
  return v.length <= MAX_NAME_LENGTH ? v : v.slice(0, MAX_NAME_LENGTH - 1) + '…';
}

/** "cluster/node" (Hubble Relay's peer names) → "node". */
export function nodeOfRelayName(name: string): string {
  return clip(name.slice(name.lastIndexOf('/') + 1));
}

function endpointOf(ep: WireEndpoint | undefined, lookup: PodOwnerLookup | null): EndpointRef {
  const namespace = clip(ep?.namespace);
  const workload = ep?.workloads?.find((w) => w.name)?.name;
  if (workload) {
    return { namespace, workload: clip(workload) };
  }
  if (ep?.pod_name) {
    return { namespace, workload: clip(workloadOfPod(namespace, ep.pod_name, lookup)) };
  }
  return { namespace, workload: clip(ep?.labels?.find((l) => l.startsWith('reserved:'))) };
}

function reasonOf(flow: WireFlow): string {
  const desc = flow.drop_reason_desc;
  if (typeof desc === 'string' && desc !== 'DROP_REASON_UNKNOWN') {
    return agentReasonOfHubbleName(desc);
  }
  if (typeof desc === 'number' && desc !== 0) {
    return agentReasonOfCode(desc);
  }
  return flow.drop_reason ? agentReasonOfCode(flow.drop_reason) : 'unknown';
}

function policiesOf(list: WirePolicy[] | undefined, into: PolicyRef[]): void {
  for (const p of list ?? []) {
    if (into.length >= MAX_POLICIES) {
      return;
    }
    into.push({ kind: clip(p.kind), namespace: clip(p.namespace), name: clip(p.name) });
  }
}

/** The drop a flow reports, or null when the flow is not a drop. */
export function dropFlowOf(
  flow: WireFlow,
  responseNode: string | undefined,
  lookup: PodOwnerLookup | null
): DropFlow | null {
  if (flow.verdict !== 'DROPPED' && flow.verdict !== 2) {
    return null;
  }
  const direction = normaliseDirection(typeof flow.traffic_direction === 'string' ? flow.traffic_direction : undefined);
  let protocol = '';
  let port: number | null = null;
  for (const [name, value] of Object.entries(flow.l4 ?? {})) {
    if (name !== 'protocol' && value && typeof value === 'object') {
      protocol = name;
      port = name === 'TCP' || name === 'UDP' || name === 'SCTP' ? (value.destination_port ?? 0) : null;
    }
  }
  const policies: PolicyRef[] = [];
  if (direction !== 'INGRESS') {
    policiesOf(flow.egress_denied_by, policies);
  }
  if (direction !== 'EGRESS') {
    policiesOf(flow.ingress_denied_by, policies);
  }
  return {
    node: nodeOfRelayName(flow.node_name || responseNode || ''),
    reason: reasonOf(flow),
    direction,
    source: endpointOf(flow.source, lookup),
    destination: endpointOf(flow.destination, lookup),
    protocol,
    port,
    policies,
  };
}
