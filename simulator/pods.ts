/**
 * The pods of the simulated cluster through their life: a node's initial pods, creation (with its endpoint when
 * Cilium manages the pod), and each tick's starts, Job completions, clean-up of completed pods, deletions and churn.
 */
import { allocatePodIp, ipOffset } from './addressing';
import { ClusterOptionsError } from './checks';
import type { SimNode, SimulatedCluster } from './cluster';
import { type EndpointState, type SimPod, needsEndpoint, podKey } from './model';
import type { Prng } from './prng';
import { scaleChance } from './scenarios/types';
import { type PodIdentityDraft, type Workload, draftPod, enforcementFor } from './workloads';

export interface NewPod {
  phase: SimPod['phase'];
  managed: boolean;
  ageSeconds: number;
  /** Overrides the generated name, owner or labels (scenarios placing pods with chosen names). */
  identity?: Partial<PodIdentityDraft>;
}

export class PodLifecycle {
  /** "namespace/name" of every pod, scheduled or not; a new pod never takes an existing name. */
  readonly keys = new Set<string>();

  constructor(private readonly cluster: SimulatedCluster) {}

  /** Initial pods of a node: its DaemonSet pods, the singletons placed on the first nodes, then workload replicas. */
  populate(node: SimNode): void {
    const params = this.cluster.scenario.parameters;
    const fixed = this.cluster.workloads.filter(
      (w) => w.kind === 'DaemonSet' || (w.onFirstNodes !== undefined && node.index < w.onFirstNodes)
    );
    for (const workload of fixed) {
      this.create(node, workload, { phase: 'Running', managed: true, ageSeconds: podAge(node) });
    }
    for (let i = fixed.length; i < this.cluster.podsPerNode; i++) {
      const workload = this.pickWorkload(node.rng);
      let phase: SimPod['phase'] = 'Running';
      if (workload.kind === 'CronJob' && node.rng.chance(0.45)) {
        phase = node.rng.chance(0.06) ? 'Failed' : 'Succeeded';
      }
      const managed = !node.rng.chance(params.unmanagedShare);
      const pod = this.create(node, workload, { phase, managed, ageSeconds: podAge(node) });
      if (phase !== 'Running') {
        pod.phaseTicks = node.rng.int(params.completedPodTtlTicks);
      }
    }
  }

  /** Pod lifecycle for one tick: starts, completions, deletions, clean-up and churn. */
  advance(node: SimNode): void {
    const cluster = this.cluster;
    const params = cluster.scenario.parameters;
    const now = cluster.nowSeconds;
    for (const pod of [...node.pods.values()]) {
      pod.phaseTicks++;
      if (pod.deletionTimestamp !== null) {
        if (pod.phaseTicks >= 1) {
          this.remove(node, pod);
        }
      } else if (pod.phase === 'Pending' && pod.phaseTicks >= 1) {
        pod.phase = 'Running';
        pod.startTime = now;
        pod.phaseTicks = 0;
      } else if (pod.phase === 'Running' && pod.ownerKind === 'Job') {
        if (node.rng.chance(scaleChance(params.jobCompletionPer5s, cluster.tickSeconds))) {
          this.complete(node, pod, node.rng.chance(0.05) ? 'Failed' : 'Succeeded');
        }
      } else if (
        (pod.phase === 'Succeeded' || pod.phase === 'Failed') &&
        pod.phaseTicks >= params.completedPodTtlTicks
      ) {
        this.remove(node, pod);
        this.create(node, this.pickWorkload(node.rng, 'CronJob'), {
          phase: 'Pending',
          managed: true,
          ageSeconds: 0,
        });
      }
    }
    if (node.rng.chance(scaleChance(params.churnPer5s, cluster.tickSeconds))) {
      const candidates = [...node.pods.values()].filter(
        (p) =>
          p.phase === 'Running' &&
          p.ownerKind === 'ReplicaSet' &&
          p.deletionTimestamp === null &&
          p.endpoint !== null &&
          !cluster.workload(p).onFirstNodes
      );
      if (candidates.length > 0) {
        const victim = node.rng.pick(candidates);
        this.delete(node, victim);
        this.create(node, cluster.workload(victim), { phase: 'Pending', managed: true, ageSeconds: 0 });
      }
    }
  }

  /** Creates a pod on a node; a managed, non-hostNetwork Running or Pending pod gets an endpoint from the agent. */
  create(node: SimNode, workload: Workload, options: NewPod): SimPod {
    const cluster = this.cluster;
    const now = cluster.nowSeconds;
    let draft = { ...draftPod(workload, node.rng, now - options.ageSeconds), ...options.identity };
    if (options.identity?.name !== undefined && this.keys.has(`${workload.namespace}/${draft.name}`)) {
      throw new ClusterOptionsError(`pod ${workload.namespace}/${draft.name} already exists`);
    }
    while (this.keys.has(`${workload.namespace}/${draft.name}`)) {
      draft = draftPod(workload, node.rng, now - options.ageSeconds);
    }
    const hostNetwork = workload.hostNetwork === true;
    const created = wholeSeconds(now - options.ageSeconds);
    const pod: SimPod = {
      namespace: workload.namespace,
      name: draft.name,
      uid: uuid(node.rng),
      nodeName: node.name,
      ownerKind: draft.ownerKind,
      ownerName: draft.ownerName,
      labels: draft.labels,
      phase: options.phase,
      hostNetwork,
      creationTimestamp: created,
      startTime: options.phase === 'Pending' ? null : created + 1 + node.rng.int(4),
      deletionTimestamp: null,
      endpoint: null,
      podIP: null,
      workload: workload.key,
      phaseTicks: 0,
    };
    if (hostNetwork) {
      pod.podIP = node.internalIP;
    } else if (pod.phase === 'Running' || pod.phase === 'Pending') {
      pod.podIP = allocatePodIp(node);
    }
    if (options.managed && node.agent && needsEndpoint(pod)) {
      const state: EndpointState = options.phase === 'Pending' ? 'waiting-for-identity' : 'ready';
      const enforcement = enforcementFor(pod.namespace, cluster.naming.enforcementAuditModes);
      pod.endpoint = node.agent.createEndpoint('pod', podKey(pod), workload.identity, pod.podIP, enforcement, state);
    }
    node.pods.set(podKey(pod), pod);
    this.keys.add(podKey(pod));
    cluster.generation++;
    return pod;
  }

  /** Starts deleting a pod: it is terminating for one tick (endpoint disconnecting), then gone. */
  delete(node: SimNode, pod: SimPod): void {
    pod.deletionTimestamp = this.cluster.nowSeconds;
    pod.phaseTicks = 0;
    if (pod.endpoint && node.agent) {
      node.agent.setState(pod.endpoint, 'disconnecting');
    }
    this.cluster.generation++;
  }

  /** A pod's containers exited: the endpoint goes away with the sandbox, the pod object stays. */
  complete(node: SimNode, pod: SimPod, phase: 'Succeeded' | 'Failed'): void {
    pod.phase = phase;
    pod.phaseTicks = 0;
    releaseEndpoint(node, pod);
    this.cluster.generation++;
  }

  remove(node: SimNode, pod: SimPod): void {
    releaseEndpoint(node, pod);
    node.pods.delete(podKey(pod));
    this.keys.delete(podKey(pod));
    this.cluster.generation++;
  }

  /** The pod the scheduler cannot place: Pending, on no node, for half an hour already. */
  unscheduled(rng: Prng): SimPod {
    const cluster = this.cluster;
    const workload = cluster.workloads.find((w) => w.key === 'search/elasticsearch') ?? cluster.workloads[0];
    const draft = draftPod(workload, rng, cluster.nowSeconds);
    const pod: SimPod = {
      namespace: workload.namespace,
      name: draft.name,
      uid: uuid(rng),
      nodeName: null,
      ownerKind: draft.ownerKind,
      ownerName: draft.ownerName,
      labels: draft.labels,
      phase: 'Pending',
      hostNetwork: false,
      creationTimestamp: wholeSeconds(cluster.nowSeconds - 1800),
      startTime: null,
      deletionTimestamp: null,
      endpoint: null,
      podIP: null,
      workload: workload.key,
      phaseTicks: 0,
    };
    this.keys.add(podKey(pod));
    return pod;
  }

  private pickWorkload(rng: Prng, kind?: Workload['kind']): Workload {
    const candidates = this.cluster.workloads.filter(
      (w) => w.kind !== 'DaemonSet' && w.onFirstNodes === undefined && (kind === undefined || w.kind === kind)
    );
    const total = candidates.reduce((sum, w) => sum + (w.weight ?? 1), 0);
    let x = rng.float() * total;
    for (const workload of candidates) {
      x -= workload.weight ?? 1;
      if (x < 0) {
        return workload;
      }
    }
    return candidates[candidates.length - 1];
  }
}

function releaseEndpoint(node: SimNode, pod: SimPod): void {
  if (pod.endpoint && node.agent) {
    node.agent.removeEndpoint(pod.endpoint);
  }
  pod.endpoint = null;
  if (pod.podIP !== null && !pod.hostNetwork) {
    node.usedIpOffsets.delete(ipOffset(pod.podIP));
  }
  pod.podIP = null;
}

function podAge(node: SimNode): number {
  return node.rng.chance(0.3) ? node.rng.range(60, 86400) : node.rng.range(86400, 40 * 86400);
}

function uuid(rng: Prng): string {
  const hex = (n: number): string => {
    let out = '';
    for (let i = 0; i < n; i++) {
      out += rng.int(16).toString(16);
    }
    return out;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[rng.int(4)]}${hex(3)}-${hex(12)}`;
}

function wholeSeconds(value: number): number {
  return Math.round(value);
}
