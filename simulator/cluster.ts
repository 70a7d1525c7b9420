/**
 * The simulated cluster: nodes, their pods and Cilium agents, the operator, and how all of it evolves tick by tick.
 * Everything is derived from the seed through per-node random streams, so two clusters built with the same options
 * and driven through the same calls are identical, and a fault or spike on one node never changes another node.
 */
import { AgentState, type DropRateFactor, type InjectedDrop } from './agent';
import { HubbleCluster, type SimContextForm } from './hubble/state';
import { type EndpointState, type SimPod, needsEndpoint, podKey } from './model';
import { OperatorState } from './operator';
import { Prng, hashSeed } from './prng';
import { createScenario, type Scenario } from './scenarios';
import {
  type CiliumVersion,
  type AgentNaming,
  agentNaming,
  parseCiliumVersion,
  DEFAULT_CILIUM_VERSION,
} from './versions';
import {
  type PodIdentityDraft,
  type Workload,
  draftPod,
  enforcementFor,
  instantiateWorkloads,
  RESERVED_IDENTITIES,
} from './workloads';

export interface ClusterOptions {
  nodes: number;
  seed?: number;
  ciliumVersion?: string;
  /** Simulated seconds per tick (default 5). */
  tickSeconds?: number;
  podsPerNode?: number;
  scenario?: string;
  /** Unix seconds at tick 0 (default 2026-01-01T00:00:00Z). */
  startTimeSeconds?: number;
  /**
   * Simulate Hubble (its metrics pages and the drop events the Relay streams): every agent drop is then attributed to
   * a flow, which costs the ticks more; off by default. On when `hubbleContext` is given.
   */
  hubble?: boolean;
  /** Context labels of the Hubble metrics pages: one form for all nodes, or mixed (default pod). */
  hubbleContext?: SimContextForm | 'mixed';
}

export const DEFAULT_SEED = 1;
export const DEFAULT_TICK_SECONDS = 5;
export const DEFAULT_PODS_PER_NODE = 30;
export const DEFAULT_START_TIME_SECONDS = 1767225600;
export const MAX_NODES = 5000;
export const MAX_PODS_PER_NODE = 1000;
/** Spikes that may be active at once. */
export const MAX_ACTIVE_SPIKES = 10_000;

export interface SimNode {
  name: string;
  index: number;
  internalIP: string;
  podCIDR: string;
  /** Pods bound to the node by "namespace/name", in creation order. */
  pods: Map<string, SimPod>;
  /** The node's Cilium agent; null when no agent runs there. */
  agent: AgentState | null;
  rng: Prng;
  usedIpOffsets: Set<number>;
  nextIpOffset: number;
}

/** Multiplies one drop series' rate on a node (or every node with node "*") for a number of ticks. */
export interface SpikeSpec {
  node: string;
  direction: string;
  reason: string;
  factor: number;
  ticks: number;
}

export interface ActiveSpike extends SpikeSpec {
  remainingTicks: number;
}

/** A CiliumEndpoint object as the Kubernetes API would list it. */
export interface CiliumEndpointView {
  namespace: string;
  name: string;
  nodeName: string;
  /** status.networking.node: the node's IP, not its name. */
  nodeIP: string;
  endpointId: number;
  identity: number;
  state: EndpointState;
  ipv4: string | null;
  enforcement: string;
}

export class ClusterOptionsError extends Error {}

const POD_IP_OFFSET_FIRST = 3;
const POD_IP_OFFSET_LAST = 1021;

export class SimulatedCluster {
  readonly seed: number;
  readonly version: CiliumVersion;
  readonly naming: AgentNaming;
  readonly tickSeconds: number;
  readonly podsPerNode: number;
  readonly startTimeSeconds: number;
  readonly scenario: Scenario;
  readonly nodes: SimNode[] = [];
  readonly workloads: Workload[];
  readonly operator: OperatorState;
  /** Hubble's attribution of the agents' drops to flows (metrics pages and Relay); null unless Hubble is on. */
  readonly hubble: HubbleCluster | null;
  /** Pods the scheduler has not placed (Pending, no node). */
  readonly unscheduledPods: SimPod[] = [];
  policies: number;
  policyRevision: number;
  tickCount = 0;
  /** Bumped on every state change; pages rendered for an older generation are stale. */
  generation = 0;
  private readonly rng: Prng;
  private readonly nodeByName = new Map<string, SimNode>();
  private readonly podKeys = new Set<string>();
  private spikes: ActiveSpike[] = [];
  private readonly tickListeners = new Set<() => void>();

  constructor(options: ClusterOptions) {
    this.seed = checkInteger(options.seed ?? DEFAULT_SEED, 'seed', 0, 0xffffffff);
    const nodes = checkInteger(options.nodes, 'nodes', 1, MAX_NODES);
    this.tickSeconds = checkNumber(options.tickSeconds ?? DEFAULT_TICK_SECONDS, 'tickSeconds', 0.001, 86400);
    this.podsPerNode = checkInteger(options.podsPerNode ?? DEFAULT_PODS_PER_NODE, 'podsPerNode', 0, MAX_PODS_PER_NODE);
    this.startTimeSeconds = checkNumber(
      options.startTimeSeconds ?? DEFAULT_START_TIME_SECONDS,
      'startTimeSeconds',
      0,
      4e9
    );
    try {
      this.version = parseCiliumVersion(options.ciliumVersion ?? DEFAULT_CILIUM_VERSION);
      this.scenario = createScenario(options.scenario ?? 'default');
    } catch (error) {
      throw new ClusterOptionsError((error as Error).message);
    }
    this.naming = agentNaming(this.version);
    this.rng = new Prng(hashSeed(this.seed, 'cluster'));
    this.workloads = instantiateWorkloads(this.rng);
    this.policies = 12 + this.rng.int(30);
    this.policyRevision = this.policies + this.rng.int(200);
    for (let i = 0; i < nodes; i++) {
      this.addNode(i);
    }
    try {
      // Before the pods and the agents' history, so Hubble attributes the same drops the agents count.
      this.hubble = (options.hubble ?? options.hubbleContext !== undefined) ? new HubbleCluster(this, { context: options.hubbleContext }) : null;
    } catch (error) {
      throw new ClusterOptionsError((error as Error).message);
    }
    this.operator = new OperatorState(hashSeed(this.seed, 'operator'), this.nowSeconds, this.tickSeconds);
    for (const node of this.nodes) {
      this.populate(node);
      node.agent?.seedHistory(this.nowSeconds);
    }
    this.unscheduledPods.push(this.makeUnscheduledPod());
    this.scenario.setup?.(this);
    this.operator.advance(this.ipamUsage(), this.clusterIdentities());
  }

  /** Simulated Unix seconds now. */
  get nowSeconds(): number {
    return this.startTimeSeconds + this.tickCount * this.tickSeconds;
  }

  /** Whether a pod namespace/name exists (scheduled or not, any phase). */
  hasPod(key: string): boolean {
    return this.podKeys.has(key);
  }

  node(name: string): SimNode | undefined {
    return this.nodeByName.get(name);
  }

  nodeNames(): string[] {
    return this.nodes.map((n) => n.name);
  }

  /** Advances the whole cluster by n ticks of tickSeconds each. */
  tick(n = 1): void {
    const count = checkInteger(n, 'ticks', 0, 1_000_000);
    for (let i = 0; i < count; i++) {
      this.tickOnce();
    }
  }

  private tickOnce(): void {
    this.tickCount++;
    this.generation++;
    const params = this.scenario.parameters;
    this.scenario.beforeTick?.(this);
    const policyChange = this.rng.chance(scaleChance(params.policyChangePer5s, this.tickSeconds));
    if (policyChange) {
      this.policies = Math.max(1, this.policies + (this.rng.chance(0.5) ? 1 : this.rng.chance(0.5) ? -1 : 0));
      this.policyRevision++;
    }
    for (const node of this.nodes) {
      this.tickNode(node, policyChange);
    }
    this.operator.advance(this.ipamUsage(), this.clusterIdentities());
    for (const spike of this.spikes) {
      spike.remainingTicks--;
    }
    this.spikes = this.spikes.filter((s) => s.remainingTicks > 0);
    this.scenario.afterTick?.(this);
    for (const listener of this.tickListeners) {
      listener();
    }
  }

  /** Calls `listener` at the end of every tick (after the scenario's afterTick); returns the unsubscribe function. */
  onTick(listener: () => void): () => void {
    this.tickListeners.add(listener);
    return () => void this.tickListeners.delete(listener);
  }

  private tickNode(node: SimNode, policyChange: boolean): void {
    const agent = node.agent;
    agent?.advanceEndpoints();
    if (agent && policyChange) {
      agent.applyPolicyChange(this.policies, node.rng.chance(this.scenario.parameters.importFailureChance));
    }
    this.advancePods(node);
    if (agent) {
      let podEndpoints = 0;
      for (const endpoint of agent.endpoints.values()) {
        if (endpoint.kind === 'pod') {
          podEndpoints++;
        }
      }
      agent.advanceTraffic(podEndpoints, this.dropFactor(node), this.injectedDrops(node));
      agent.advanceHealth(this.nodes.length);
    }
  }

  private dropFactor(node: SimNode): DropRateFactor {
    const spikes = this.spikes.filter((s) => s.node === node.name || s.node === '*');
    const scenarioFactor = this.scenario.dropRateFactor;
    if (spikes.length === 0 && !scenarioFactor) {
      return () => 1;
    }
    return (direction, reason) => {
      let factor = scenarioFactor ? scenarioFactor(this, node, direction, reason) : 1;
      for (const spike of spikes) {
        if (spike.direction === direction && spike.reason === reason) {
          factor *= spike.factor;
        }
      }
      return factor;
    };
  }

  private injectedDrops(node: SimNode): InjectedDrop[] {
    return this.spikes
      .filter((s) => s.node === node.name || s.node === '*')
      .map((s) => ({ direction: s.direction, reason: s.reason, factor: s.factor }));
  }

  /** Pod lifecycle for one tick: starts, completions, deletions, clean-up and churn. */
  private advancePods(node: SimNode): void {
    const params = this.scenario.parameters;
    const now = this.nowSeconds;
    for (const pod of [...node.pods.values()]) {
      pod.phaseTicks++;
      if (pod.deletionTimestamp !== null) {
        if (pod.phaseTicks >= 1) {
          this.removePod(node, pod);
        }
      } else if (pod.phase === 'Pending' && pod.phaseTicks >= 1) {
        pod.phase = 'Running';
        pod.startTime = now;
        pod.phaseTicks = 0;
      } else if (pod.phase === 'Running' && pod.ownerKind === 'Job') {
        if (node.rng.chance(scaleChance(params.jobCompletionPer5s, this.tickSeconds))) {
          this.completePod(node, pod, node.rng.chance(0.05) ? 'Failed' : 'Succeeded');
        }
      } else if (
        (pod.phase === 'Succeeded' || pod.phase === 'Failed') &&
        pod.phaseTicks >= params.completedPodTtlTicks
      ) {
        this.removePod(node, pod);
        this.createPod(node, this.pickWorkload(node.rng, 'CronJob'), {
          phase: 'Pending',
          managed: true,
          ageSeconds: 0,
        });
      }
    }
    if (node.rng.chance(scaleChance(params.churnPer5s, this.tickSeconds))) {
      const candidates = [...node.pods.values()].filter(
        (p) =>
          p.phase === 'Running' &&
          p.ownerKind === 'ReplicaSet' &&
          p.deletionTimestamp === null &&
          p.endpoint !== null &&
          !this.workload(p).onFirstNodes
      );
      if (candidates.length > 0) {
        const victim = node.rng.pick(candidates);
        this.deletePod(node, victim);
        this.createPod(node, this.workload(victim), { phase: 'Pending', managed: true, ageSeconds: 0 });
      }
    }
  }

  /** Starts deleting a pod: it is terminating for one tick (endpoint disconnecting), then gone. */
  deletePod(node: SimNode, pod: SimPod): void {
    pod.deletionTimestamp = this.nowSeconds;
    pod.phaseTicks = 0;
    if (pod.endpoint && node.agent) {
      node.agent.setState(pod.endpoint, 'disconnecting');
    }
    this.generation++;
  }

  /** A pod's containers exited: the endpoint goes away with the sandbox, the pod object stays. */
  completePod(node: SimNode, pod: SimPod, phase: 'Succeeded' | 'Failed'): void {
    pod.phase = phase;
    pod.phaseTicks = 0;
    this.releaseEndpoint(node, pod);
    this.generation++;
  }

  removePod(node: SimNode, pod: SimPod): void {
    this.releaseEndpoint(node, pod);
    node.pods.delete(podKey(pod));
    this.podKeys.delete(podKey(pod));
    this.generation++;
  }

  private releaseEndpoint(node: SimNode, pod: SimPod): void {
    if (pod.endpoint && node.agent) {
      node.agent.removeEndpoint(pod.endpoint);
    }
    pod.endpoint = null;
    if (pod.podIP !== null && !pod.hostNetwork) {
      node.usedIpOffsets.delete(ipOffset(pod.podIP));
    }
    pod.podIP = null;
  }

  /**
   * Creates a pod on a node; a managed, non-hostNetwork Running or Pending pod gets an endpoint from the agent.
   * `identity` overrides the generated name, owner or labels (scenarios placing pods with chosen names).
   */
  createPod(
    node: SimNode,
    workload: Workload,
    options: { phase: SimPod['phase']; managed: boolean; ageSeconds: number; identity?: Partial<PodIdentityDraft> }
  ): SimPod {
    const now = this.nowSeconds;
    let draft = { ...draftPod(workload, node.rng, now - options.ageSeconds), ...options.identity };
    if (options.identity?.name !== undefined && this.podKeys.has(`${workload.namespace}/${draft.name}`)) {
      throw new ClusterOptionsError(`pod ${workload.namespace}/${draft.name} already exists`);
    }
    while (this.podKeys.has(`${workload.namespace}/${draft.name}`)) {
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
      pod.podIP = this.allocateIp(node);
    }
    if (options.managed && node.agent && needsEndpoint(pod)) {
      const state: EndpointState = options.phase === 'Pending' ? 'waiting-for-identity' : 'ready';
      const enforcement = enforcementFor(pod.namespace, this.naming.enforcementAuditModes);
      pod.endpoint = node.agent.createEndpoint('pod', podKey(pod), workload.identity, pod.podIP, enforcement, state);
    }
    node.pods.set(podKey(pod), pod);
    this.podKeys.add(podKey(pod));
    this.generation++;
    return pod;
  }

  /** Restarts one node's agent: counters reset, a new process start time, endpoints restored. */
  restartAgent(nodeName: string): void {
    const node = this.requireNode(nodeName);
    if (!node.agent) {
      throw new ClusterOptionsError(`node ${nodeName} has no Cilium agent`);
    }
    node.agent.restart(this.nowSeconds, this.policies);
    this.generation++;
  }

  /**
   * The node's Cilium agent goes away (never installed, or its pod deleted): no agent page, no agent pod, and the
   * node's pods lose their endpoints but keep running.
   */
  removeAgent(nodeName: string): void {
    const node = this.requireNode(nodeName);
    if (!node.agent) {
      return;
    }
    node.agent = null;
    for (const pod of [...node.pods.values()]) {
      if (pod.ownerKind === 'DaemonSet' && pod.labels['k8s-app'] === 'cilium') {
        this.removePod(node, pod);
      } else {
        pod.endpoint = null;
      }
    }
    this.generation++;
  }

  restartOperator(): void {
    this.operator.restart(this.nowSeconds);
    this.generation++;
  }

  /** Multiplies a drop series' rate for the next `ticks` ticks. */
  addSpike(spec: SpikeSpec): void {
    if (spec.node !== '*') {
      this.requireNode(spec.node);
    }
    if (!/^[A-Z]+$/.test(spec.direction) || spec.direction.length > 16) {
      throw new ClusterOptionsError(
        `spike direction must be an upper-case direction such as INGRESS or EGRESS, got "${spec.direction}"`
      );
    }
    if (typeof spec.reason !== 'string' || spec.reason.length === 0 || spec.reason.length > 200) {
      throw new ClusterOptionsError(
        'spike reason must be a drop reason string of 1 to 200 characters, e.g. "Policy denied"'
      );
    }
    checkNumber(spec.factor, 'factor', 0, 1e6);
    checkInteger(spec.ticks, 'ticks', 1, 1_000_000);
    if (this.spikes.length >= MAX_ACTIVE_SPIKES) {
      throw new ClusterOptionsError(`at most ${MAX_ACTIVE_SPIKES} spikes can be active at once`);
    }
    this.spikes.push({ ...spec, remainingTicks: spec.ticks });
    this.generation++;
  }

  activeSpikes(): ActiveSpike[] {
    return this.spikes.map((s) => ({ ...s }));
  }

  requireNode(name: string): SimNode {
    const node = this.nodeByName.get(name);
    if (!node) {
      throw new ClusterOptionsError(`unknown node "${name}"`);
    }
    return node;
  }

  workload(pod: SimPod): Workload {
    const workload = this.workloads.find((w) => w.key === pod.workload);
    if (!workload) {
      throw new Error(`pod ${podKey(pod)} refers to an unknown workload ${pod.workload}`);
    }
    return workload;
  }

  /** Every pod, scheduled ones node by node, then unscheduled ones. */
  listPods(): SimPod[] {
    const out: SimPod[] = [];
    for (const node of this.nodes) {
      out.push(...node.pods.values());
    }
    out.push(...this.unscheduledPods);
    return out;
  }

  listCiliumEndpoints(): CiliumEndpointView[] {
    const out: CiliumEndpointView[] = [];
    for (const node of this.nodes) {
      for (const pod of node.pods.values()) {
        if (pod.endpoint) {
          out.push({
            namespace: pod.namespace,
            name: pod.name,
            nodeName: node.name,
            nodeIP: node.internalIP,
            endpointId: pod.endpoint.id,
            identity: pod.endpoint.identity,
            state: pod.endpoint.state,
            ipv4: pod.endpoint.ipv4,
            enforcement: pod.endpoint.enforcement,
          });
        }
      }
    }
    return out;
  }

  /** Workload identities known cluster-wide (cluster_local). */
  clusterLocalIdentities(): number {
    return this.workloads.filter((w) => !w.hostNetwork).length;
  }

  clusterIdentities(): number {
    return this.clusterLocalIdentities() + RESERVED_IDENTITIES;
  }

  /** Allocated pod IPs per node as the operator's IPAM sees them (agent's IPv4 count; pod IPs without an agent). */
  ipamUsage(): Array<{ node: string; used: number }> {
    return this.nodes.map((node) => ({
      node: node.name,
      used: node.agent ? node.agent.endpoints.size : node.usedIpOffsets.size,
    }));
  }

  private addNode(index: number): void {
    const name = `node-${String(index).padStart(3, '0')}`;
    const host = index + 10;
    const node: SimNode = {
      name,
      index,
      internalIP: `172.${16 + (host >> 16)}.${(host >> 8) & 255}.${host & 255}`,
      podCIDR: `${cidrBase(index)}/22`,
      pods: new Map(),
      agent: null,
      rng: new Prng(hashSeed(this.seed, 'node', index)),
      usedIpOffsets: new Set(),
      nextIpOffset: POD_IP_OFFSET_FIRST,
    };
    node.agent = new AgentState({
      nodeName: name,
      naming: this.naming,
      minorVersion: this.version.minor,
      tickSeconds: this.tickSeconds,
      nowSeconds: this.nowSeconds,
      policies: this.policies,
      seed: hashSeed(this.seed, 'agent', index),
      healthIp: ipAt(index, 2),
    });
    this.nodes.push(node);
    this.nodeByName.set(name, node);
  }

  /** Initial pods of a node: its DaemonSet pods, the singletons placed on the first nodes, then workload replicas. */
  private populate(node: SimNode): void {
    const params = this.scenario.parameters;
    const fixed = this.workloads.filter(
      (w) => w.kind === 'DaemonSet' || (w.onFirstNodes !== undefined && node.index < w.onFirstNodes)
    );
    for (const workload of fixed) {
      this.createPod(node, workload, { phase: 'Running', managed: true, ageSeconds: this.podAge(node) });
    }
    for (let i = fixed.length; i < this.podsPerNode; i++) {
      const workload = this.pickWorkload(node.rng);
      let phase: SimPod['phase'] = 'Running';
      if (workload.kind === 'CronJob' && node.rng.chance(0.45)) {
        phase = node.rng.chance(0.06) ? 'Failed' : 'Succeeded';
      }
      const managed = !node.rng.chance(params.unmanagedShare);
      const pod = this.createPod(node, workload, { phase, managed, ageSeconds: this.podAge(node) });
      if (phase !== 'Running') {
        pod.phaseTicks = node.rng.int(params.completedPodTtlTicks);
      }
    }
  }

  private podAge(node: SimNode): number {
    return node.rng.chance(0.3) ? node.rng.range(60, 86400) : node.rng.range(86400, 40 * 86400);
  }

  private pickWorkload(rng: Prng, kind?: Workload['kind']): Workload {
    const candidates = this.workloads.filter(
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

  private makeUnscheduledPod(): SimPod {
    const workload = this.workloads.find((w) => w.key === 'search/elasticsearch') ?? this.workloads[0];
    const draft = draftPod(workload, this.rng, this.nowSeconds);
    const pod: SimPod = {
      namespace: workload.namespace,
      name: draft.name,
      uid: uuid(this.rng),
      nodeName: null,
      ownerKind: draft.ownerKind,
      ownerName: draft.ownerName,
      labels: draft.labels,
      phase: 'Pending',
      hostNetwork: false,
      creationTimestamp: wholeSeconds(this.nowSeconds - 1800),
      startTime: null,
      deletionTimestamp: null,
      endpoint: null,
      podIP: null,
      workload: workload.key,
      phaseTicks: 0,
    };
    this.podKeys.add(podKey(pod));
    return pod;
  }

  private allocateIp(node: SimNode): string {
    const span = POD_IP_OFFSET_LAST - POD_IP_OFFSET_FIRST + 1;
    for (let i = 0; i < span; i++) {
      const offset = node.nextIpOffset;
      node.nextIpOffset = offset >= POD_IP_OFFSET_LAST ? POD_IP_OFFSET_FIRST : offset + 1;
      if (!node.usedIpOffsets.has(offset)) {
        node.usedIpOffsets.add(offset);
        return ipAt(node.index, offset);
      }
    }
    throw new Error(`node ${node.name} ran out of pod IPs`);
  }
}

/** Chance per tick from a chance per 5 simulated seconds. */
function scaleChance(per5s: number, tickSeconds: number): number {
  return 1 - Math.pow(1 - Math.min(1, per5s), tickSeconds / 5);
}

function podNetworkPrefix(index: number): string {
  return `10.${64 + (index >> 6)}`;
}

function cidrBase(index: number): string {
  return `${podNetworkPrefix(index)}.${(index & 63) << 2}.0`;
}

/** Address `offset` (0..1023) of a node's /22 pod range. */
function ipAt(index: number, offset: number): string {
  return `${podNetworkPrefix(index)}.${((index & 63) << 2) + (offset >> 8)}.${offset & 255}`;
}

function ipOffset(ip: string): number {
  const parts = ip.split('.').map(Number);
  return ((parts[2] & 3) << 8) + parts[3];
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

function checkNumber(value: number, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ClusterOptionsError(`${field} must be a number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function checkInteger(value: number, field: string, min: number, max: number): number {
  checkNumber(value, field, min, max);
  if (!Number.isInteger(value)) {
    throw new ClusterOptionsError(`${field} must be an integer, got ${value}`);
  }
  return value;
}
