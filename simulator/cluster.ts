/**
 * The simulated cluster: nodes, their pods and Cilium agents, the operator, and how all of it evolves tick by tick.
 * Everything is derived from the seed through per-node random streams, so two clusters built with the same options
 * and driven through the same calls are identical, and a fault or spike on one node never changes another node.
 */
import { AgentState, type DropRateFactor } from './agent';
import { HEALTH_IP_OFFSET, POD_IP_OFFSET_FIRST, ipAt, nodeInternalIP, podCIDR } from './addressing';
import { checkInteger, checkNumber, ClusterOptionsError } from './checks';
import { HubbleCluster, type SimContextForm } from './hubble/state';
import { type EndpointState, type SimPod, podKey } from './model';
import { OperatorState } from './operator';
import { type NewPod, PodLifecycle } from './pods';
import { Prng, hashSeed } from './prng';
import { createScenario, type Scenario } from './scenarios';
import { scaleChance } from './scenarios/types';
import { type ActiveSpike, type SpikeSpec, Spikes } from './spikes';
import {
  type CiliumVersion,
  type AgentNaming,
  agentNaming,
  parseCiliumVersion,
  DEFAULT_CILIUM_VERSION,
} from './versions';
import { type Workload, instantiateWorkloads, RESERVED_IDENTITIES } from './workloads';

export { ClusterOptionsError } from './checks';
export { MAX_ACTIVE_SPIKES, type ActiveSpike, type SpikeSpec } from './spikes';

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
  private readonly pods = new PodLifecycle(this);
  private readonly spikes = new Spikes();
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
      this.hubble =
        (options.hubble ?? options.hubbleContext !== undefined)
          ? new HubbleCluster(this, { context: options.hubbleContext })
          : null;
    } catch (error) {
      throw new ClusterOptionsError((error as Error).message);
    }
    this.operator = new OperatorState(hashSeed(this.seed, 'operator'), this.nowSeconds, this.tickSeconds);
    for (const node of this.nodes) {
      this.pods.populate(node);
      node.agent?.seedHistory(this.nowSeconds);
    }
    this.unscheduledPods.push(this.pods.unscheduled(this.rng));
    this.scenario.setup?.(this);
    this.operator.advance(this.ipamUsage(), this.clusterIdentities());
  }

  /** Simulated Unix seconds now. */
  get nowSeconds(): number {
    return this.startTimeSeconds + this.tickCount * this.tickSeconds;
  }

  /** Whether a pod namespace/name exists (scheduled or not, any phase). */
  hasPod(key: string): boolean {
    return this.pods.keys.has(key);
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
    this.spikes.endTick();
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
    this.pods.advance(node);
    if (agent) {
      let podEndpoints = 0;
      for (const endpoint of agent.endpoints.values()) {
        if (endpoint.kind === 'pod') {
          podEndpoints++;
        }
      }
      agent.advanceTraffic(podEndpoints, this.dropFactor(node), this.spikes.injected(node.name));
      agent.advanceHealth(this.nodes.length);
    }
  }

  /** This tick's drop-rate multiplier on a node: the scenario's times the node's spikes'. */
  private dropFactor(node: SimNode): DropRateFactor {
    const scenarioFactor = this.scenario.dropRateFactor;
    return this.spikes.dropFactor(
      node.name,
      scenarioFactor && ((direction, reason) => scenarioFactor(this, node, direction, reason))
    );
  }

  /** Starts deleting a pod: it is terminating for one tick (endpoint disconnecting), then gone. */
  deletePod(node: SimNode, pod: SimPod): void {
    this.pods.delete(node, pod);
  }

  /** A pod's containers exited: the endpoint goes away with the sandbox, the pod object stays. */
  completePod(node: SimNode, pod: SimPod, phase: 'Succeeded' | 'Failed'): void {
    this.pods.complete(node, pod, phase);
  }

  removePod(node: SimNode, pod: SimPod): void {
    this.pods.remove(node, pod);
  }

  /**
   * Creates a pod on a node; a managed, non-hostNetwork Running or Pending pod gets an endpoint from the agent.
   * `identity` overrides the generated name, owner or labels (scenarios placing pods with chosen names).
   */
  createPod(node: SimNode, workload: Workload, options: NewPod): SimPod {
    return this.pods.create(node, workload, options);
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
    this.spikes.add(spec);
    this.generation++;
  }

  activeSpikes(): ActiveSpike[] {
    return this.spikes.active();
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
    const node: SimNode = {
      name,
      index,
      internalIP: nodeInternalIP(index),
      podCIDR: podCIDR(index),
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
      healthIp: ipAt(index, HEALTH_IP_OFFSET),
    });
    this.nodes.push(node);
    this.nodeByName.set(name, node);
  }
}
