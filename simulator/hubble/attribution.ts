/**
 * Hubble's view of a simulated node's drops: every packet the agent counts in cilium_drop_count_total is also
 * attributed to a flow (source and destination endpoints, protocol and port, the policy that denied it), as Hubble
 * sees the same drop events. A node's flows come from a small catalogue per direction and reason with Zipf weights,
 * so a few pairs dominate as in a real cluster; the local side is one of the node's pods (the destination of an
 * ingress drop, the source of an egress one), the remote side a pod of another workload or the world.
 *
 * Deterministic: a per-node random stream of its own, so agent pages are the same with or without Hubble.
 */
import type { SimNode, SimulatedCluster } from '../cluster';
import type { SimPod } from '../model';
import { Prng, hashSeed } from '../prng';
import type { Workload } from '../workloads';

export interface SimEndpoint {
  namespace: string;
  pod: string;
  workload: string;
  /** `reserved:world`, `reserved:host`... for what is not a pod; '' for a pod. */
  reserved: string;
}

export interface SimPolicy {
  kind: string;
  namespace: string;
  name: string;
}

/** A drop flow: direction, the agent's reason string, protocol and port, its ends and the policies that denied it. */
export interface SimFlow {
  direction: string;
  reason: string;
  protocol: string;
  port: number | null;
  /** The endpoints as the simulation knows them (namespace, workload, or a reserved identity). */
  source: SimEndpoint;
  destination: SimEndpoint;
  policies: SimPolicy[];
}

/** One Hubble drop counter: a pod-level flow key and its packets since the agent started. */
export interface HubbleCounter extends SimFlow {
  key: string;
  direction: 'INGRESS' | 'EGRESS';
  packets: number;
}

interface FlowTemplate {
  /** Unique on the node: direction, reason and index in the catalogue. */
  id: string;
  localWorkload: string;
  remoteWorkload: string | null;
  protocol: string;
  port: number | null;
  weight: number;
}

const FLOWS_PER_CATALOGUE = 10;
const PORTS: ReadonlyArray<[string, number | null]> = [
  ['TCP', 80],
  ['TCP', 443],
  ['TCP', 8080],
  ['TCP', 5432],
  ['TCP', 6379],
  ['TCP', 9092],
  ['UDP', 53],
  ['ICMPv4', null],
];

export const WORLD: SimEndpoint = Object.freeze({ namespace: '', pod: '', workload: '', reserved: 'reserved:world' });
const HOST: SimEndpoint = Object.freeze({ namespace: '', pod: '', workload: '', reserved: 'reserved:host' });

export function endpointId(e: SimEndpoint): string {
  return e.reserved || `${e.namespace}/${e.pod}`;
}

/** Pods by workload key, rebuilt at most once per tick. */
export class PodIndex {
  private tick = -1;
  private byWorkload = new Map<string, SimPod[]>();

  constructor(private readonly cluster: SimulatedCluster) {}

  podsOf(workload: string): SimPod[] {
    if (this.tick !== this.cluster.tickCount) {
      this.tick = this.cluster.tickCount;
      this.byWorkload = new Map();
      for (const node of this.cluster.nodes) {
        for (const pod of node.pods.values()) {
          if (attributable(pod)) {
            const list = this.byWorkload.get(pod.workload) ?? [];
            list.push(pod);
            this.byWorkload.set(pod.workload, list);
          }
        }
      }
    }
    return this.byWorkload.get(workload) ?? [];
  }
}

function attributable(pod: SimPod): boolean {
  return pod.phase === 'Running' && pod.endpoint !== null && pod.deletionTimestamp === null && !pod.hostNetwork;
}

export class NodeAttribution {
  readonly counters = new Map<string, HubbleCounter>();
  private readonly rng: Prng;
  private readonly catalogues = new Map<string, FlowTemplate[]>();
  private local: { all: SimPod[]; byWorkload: Map<string, SimPod[]> } | null = null;
  /** Endpoints by pod key, so a pod's flows share one object (bounded: cleared when full). */
  private readonly endpoints = new Map<string, SimEndpoint>();
  private localTick = -1;
  private localGeneration = -1;

  constructor(
    private readonly cluster: SimulatedCluster,
    private readonly node: SimNode,
    private readonly pods: PodIndex,
    private readonly onDrop: (counter: HubbleCounter, packets: number) => void
  ) {
    this.rng = new Prng(hashSeed(cluster.seed, 'hubble', node.index));
  }

  /** Attributes `packets` drops of one direction and reason to the node's flows. */
  attribute(direction: string, reason: string, packets: number): void {
    if (direction !== 'INGRESS' && direction !== 'EGRESS') {
      return;
    }
    const flows = this.catalogue(direction, reason);
    const total = flows.reduce((s, f) => s + f.weight, 0);
    const shares = flows.map((f) => Math.floor((packets * f.weight) / total));
    let rest = packets - shares.reduce((a, b) => a + b, 0);
    while (rest-- > 0) {
      let x = this.rng.float() * total;
      let i = 0;
      while (i < flows.length - 1 && (x -= flows[i].weight) >= 0) {
        i++;
      }
      shares[i]++;
    }
    flows.forEach((flow, i) => shares[i] > 0 && this.count(direction, reason, flow, shares[i]));
  }

  /** A new agent process: Hubble's counters start again. */
  reset(): void {
    this.counters.clear();
  }

  private count(direction: 'INGRESS' | 'EGRESS', reason: string, flow: FlowTemplate, packets: number): void {
    const local = this.localEndpoint(flow.localWorkload);
    const remote = flow.remoteWorkload === null ? WORLD : this.remoteEndpoint(flow.remoteWorkload);
    const [source, destination] = direction === 'INGRESS' ? [remote, local] : [local, remote];
    // The template fixes direction, reason, protocol and port; the endpoints fix the policies.
    const key = `${flow.id}|${endpointId(source)}|${endpointId(destination)}`;
    let counter = this.counters.get(key);
    if (!counter) {
      const policies = policiesFor(reason, direction, source, destination);
      counter = {
        key,
        direction,
        reason,
        protocol: flow.protocol,
        port: flow.port,
        source,
        destination,
        policies,
        packets: 0,
      };
      this.counters.set(key, counter);
    }
    counter.packets += packets;
    this.onDrop(counter, packets);
  }

  private catalogue(direction: 'INGRESS' | 'EGRESS', reason: string): FlowTemplate[] {
    const id = `${direction}|${reason}`;
    let flows = this.catalogues.get(id);
    if (!flows) {
      const local = [...new Set([...this.node.pods.values()].filter(attributable).map((p) => p.workload))].sort();
      const remote = this.cluster.workloads.filter((w) => !w.hostNetwork && w.kind !== 'DaemonSet').map((w) => w.key);
      flows = [];
      for (let i = 0; i < FLOWS_PER_CATALOGUE; i++) {
        const [protocol, port] = this.rng.pick(PORTS);
        flows.push({
          id: `${id}|${i}`,
          localWorkload: local.length ? this.rng.pick(local) : '',
          remoteWorkload: this.rng.chance(0.15) ? null : this.rng.pick(remote),
          protocol,
          port,
          weight: 1 / Math.pow(i + 1, 1.3),
        });
      }
      this.catalogues.set(id, flows);
    }
    return flows;
  }

  private localEndpoint(workload: string): SimEndpoint {
    const local = this.localPods();
    const candidates = local.byWorkload.get(workload) ?? local.all;
    if (candidates.length === 0) {
      return HOST;
    }
    return this.endpointOf(candidates[this.rng.int(candidates.length)]);
  }

  /** The node's attributable pods by name, and by workload: built once per tick (the pods only change in ticks). */
  private localPods(): { all: SimPod[]; byWorkload: Map<string, SimPod[]> } {
    if (
      this.local === null ||
      this.localTick !== this.cluster.tickCount ||
      this.localGeneration !== this.node.pods.size
    ) {
      const all = [...this.node.pods.values()].filter(attributable).sort((a, b) => (a.name < b.name ? -1 : 1));
      const byWorkload = new Map<string, SimPod[]>();
      for (const pod of all) {
        const list = byWorkload.get(pod.workload) ?? [];
        list.push(pod);
        byWorkload.set(pod.workload, list);
      }
      this.local = { all, byWorkload };
      this.localTick = this.cluster.tickCount;
      this.localGeneration = this.node.pods.size;
    }
    return this.local;
  }

  private remoteEndpoint(workload: string): SimEndpoint {
    const pods = this.pods.podsOf(workload);
    return pods.length ? this.endpointOf(pods[this.rng.int(pods.length)]) : WORLD;
  }

  private endpointOf(pod: SimPod): SimEndpoint {
    const key = `${pod.namespace}/${pod.name}`;
    let endpoint = this.endpoints.get(key);
    if (!endpoint) {
      endpoint = { namespace: pod.namespace, pod: pod.name, workload: this.workloadName(pod), reserved: '' };
      if (this.endpoints.size >= 4096) {
        this.endpoints.clear();
      }
      this.endpoints.set(key, endpoint);
    }
    return endpoint;
  }

  private workloadName(pod: SimPod): string {
    const w: Workload | undefined = this.cluster.workloads.find((x) => x.key === pod.workload);
    return w?.name ?? pod.workload;
  }

  /** Whether the pod of an endpoint still exists. */
  exists(e: SimEndpoint): boolean {
    return e.reserved !== '' || this.cluster.hasPod(`${e.namespace}/${e.pod}`);
  }
}

/** The policies Hubble reports as denying a drop: only policy drops have them. */
function policiesFor(
  reason: string,
  direction: 'INGRESS' | 'EGRESS',
  source: SimEndpoint,
  destination: SimEndpoint
): SimPolicy[] {
  const subject = direction === 'INGRESS' ? destination : source;
  if (reason === 'Policy denied') {
    if (subject.reserved || subject.namespace === 'default') {
      return [
        { kind: 'CiliumClusterwideNetworkPolicy', namespace: '', name: `default-deny-${direction.toLowerCase()}` },
      ];
    }
    return [
      {
        kind: 'CiliumNetworkPolicy',
        namespace: subject.namespace,
        name: `${subject.workload}-${direction.toLowerCase()}`,
      },
    ];
  }
  if (reason === 'Policy denied by denylist') {
    return [{ kind: 'CiliumClusterwideNetworkPolicy', namespace: '', name: 'deny-known-bad' }];
  }
  return [];
}
