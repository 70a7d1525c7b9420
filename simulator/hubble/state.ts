/**
 * The simulated cluster's Hubble: every agent's drops attributed to flows (attribution.ts), what each node's Hubble
 * metrics page shows in its context form, page modes for bad input (unknown labels, a spray of random workload
 * names), and the drop events Hubble Relay streams.
 *
 * Series of a pod that is gone leave a `pod`-context page a minute after the pod (as Cilium deletes them); pages in
 * the other forms keep counting them under the pod's workload, which outlives it.
 */
import type { SimulatedCluster } from '../cluster';
import { Prng, hashSeed } from '../prng';
import { type HubbleCounter, NodeAttribution, PodIndex, type SimEndpoint, type SimPolicy } from './attribution';

/** Context forms of the simulated pages: Cilium's sourceContext/destinationContext `pod`, `namespace`, `workload-name`
 * (each chained with `reserved-identity`), and labelsContext with namespace, workload and traffic_direction. */
export const SIM_CONTEXT_FORMS = ['pod', 'namespace', 'workload', 'labels'] as const;
export type SimContextForm = (typeof SIM_CONTEXT_FORMS)[number];

export const HUBBLE_PAGE_MODES = ['normal', 'unknownLabels', 'spray'] as const;
export type HubblePageMode = (typeof HUBBLE_PAGE_MODES)[number];

/** Ticks a gone pod's series stay on a pod-context page (Cilium: one minute; 12 ticks of 5 s). */
export const GONE_POD_GRACE_TICKS = 12;
const GONE_POD_CHECK_TICKS = 4;
export const MAX_SPRAY_PER_TICK = 100_000;

export interface NodeHubble {
  node: string;
  attribution: NodeAttribution;
  form: SimContextForm;
  mode: HubblePageMode;
  sprayPerTick: number;
  /** Counts of series whose pod is gone, by workload-level key (non-pod forms keep rendering them). */
  retired: Map<string, HubbleCounter>;
  /** Tick at which a counter's pod was first seen gone. */
  goneSince: Map<string, number>;
  /** Drop series between never-seen workloads on the page now (spray mode): source namespace, pod and workload. */
  sprayed: SprayedSeries[];
  /** Distinct names sprayed so far, and at the last tick. */
  sprayedNames: number;
  lastSprayed: number;
}

export interface SprayedSeries {
  namespace: string;
  pod: string;
  workload: string;
}

export type DropEventListener = (node: string, counter: HubbleCounter, packets: number) => void;

export interface HubbleOptions {
  /** One form for every node, or `mixed` (node i gets form i mod 4). Default pod. */
  context?: SimContextForm | 'mixed';
}

export class HubbleCluster {
  private readonly nodes = new Map<string, NodeHubble>();
  private readonly listeners = new Set<DropEventListener>();
  private readonly rng: Prng;
  private sprayCount = 0;

  constructor(
    private readonly cluster: SimulatedCluster,
    options: HubbleOptions = {}
  ) {
    const context = options.context ?? 'pod';
    if (context !== 'mixed' && !SIM_CONTEXT_FORMS.includes(context)) {
      throw new Error(
        `hubble context must be one of ${SIM_CONTEXT_FORMS.join(', ')} or mixed, got "${String(context)}"`
      );
    }
    this.rng = new Prng(hashSeed(cluster.seed, 'hubble-spray'));
    const pods = new PodIndex(cluster);
    for (const node of cluster.nodes) {
      const name = node.name;
      const attribution = new NodeAttribution(cluster, node, pods, (counter, packets) => {
        for (const listener of this.listeners) {
          listener(name, counter, packets);
        }
      });
      const state: NodeHubble = {
        node: name,
        attribution,
        form: context === 'mixed' ? SIM_CONTEXT_FORMS[node.index % SIM_CONTEXT_FORMS.length] : context,
        mode: 'normal',
        sprayPerTick: 0,
        retired: new Map(),
        goneSince: new Map(),
        sprayed: [],
        sprayedNames: 0,
        lastSprayed: 0,
      };
      this.nodes.set(name, state);
      if (node.agent) {
        node.agent.dropListener = (direction, reason, packets) => attribution.attribute(direction, reason, packets);
        node.agent.restartListener = () => {
          attribution.reset();
          state.retired.clear();
          state.goneSince.clear();
        };
      }
    }
    cluster.onTick(() => this.afterTick());
  }

  node(name: string): NodeHubble | undefined {
    return this.nodes.get(name);
  }

  requireNode(name: string): NodeHubble {
    const state = this.nodes.get(name);
    if (!state) {
      throw new Error(`unknown node "${name}"`);
    }
    return state;
  }

  all(): NodeHubble[] {
    return [...this.nodes.values()];
  }

  /** Every attributed drop as it happens (Hubble Relay's stream). */
  onDrop(listener: DropEventListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Sets a node's ("*": every node's) context form, page mode and spray rate. */
  configure(node: string, change: { form?: SimContextForm; mode?: HubblePageMode; sprayPerTick?: number }): void {
    for (const state of node === '*' ? this.all() : [this.requireNode(node)]) {
      if (change.form !== undefined) {
        state.form = change.form;
      }
      if (change.mode !== undefined) {
        state.mode = change.mode;
        if (change.mode !== 'spray') {
          state.sprayed = [];
          state.lastSprayed = 0;
        }
      }
      if (change.sprayPerTick !== undefined) {
        state.sprayPerTick = change.sprayPerTick;
      }
    }
    this.cluster.generation++;
  }

  /** The counters a node's page shows now: live ones (gone pods' within their grace) and retired ones. */
  pageCounters(state: NodeHubble): HubbleCounter[] {
    const out = [...state.attribution.counters.values()];
    if (state.form !== 'pod') {
      out.push(...state.retired.values());
    }
    return out;
  }

  /** Workload-level attribution since the agent started, live and retired together (what a correct exporter counts). */
  flows(state: NodeHubble): HubbleCounter[] {
    const merged = new Map<string, HubbleCounter>();
    const add = (c: HubbleCounter): void => {
      const key = workloadKey(c);
      const m = merged.get(key);
      if (m) {
        m.packets += c.packets;
      } else {
        merged.set(key, { ...c, key, source: workloadOnly(c.source), destination: workloadOnly(c.destination) });
      }
    };
    state.attribution.counters.forEach(add);
    state.retired.forEach(add);
    return [...merged.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  private afterTick(): void {
    const tick = this.cluster.tickCount;
    // Gone pods are looked for every few ticks: their series leave a pod page 12 to 15 ticks after the pod.
    const lookForGone = tick % GONE_POD_CHECK_TICKS === 0;
    for (const state of this.nodes.values()) {
      if (lookForGone) {
        this.retireGone(state, tick);
      }
      if (state.mode === 'spray') {
        // Each tick's names stay for two ticks, so a scraper slower than the ticks still sees every one of them.
        state.sprayed = state.sprayed.slice(state.sprayed.length - state.lastSprayed);
        state.lastSprayed = state.sprayPerTick;
        for (let i = 0; i < state.sprayPerTick; i++) {
          state.sprayed.push(this.sprayed());
          state.sprayedNames++;
        }
      }
    }
  }

  private retireGone(state: NodeHubble, tick: number): void {
    for (const counter of state.attribution.counters.values()) {
      if (state.attribution.exists(counter.source) && state.attribution.exists(counter.destination)) {
        continue;
      }
      const since = state.goneSince.get(counter.key) ?? tick;
      state.goneSince.set(counter.key, since);
      if (tick - since >= GONE_POD_GRACE_TICKS) {
        const key = workloadKey(counter);
        const retired = state.retired.get(key);
        if (retired) {
          retired.packets += counter.packets;
        } else {
          state.retired.set(key, {
            ...counter,
            key,
            source: workloadOnly(counter.source),
            destination: workloadOnly(counter.destination),
          });
        }
        state.attribution.counters.delete(counter.key);
        state.goneSince.delete(counter.key);
      }
    }
  }

  /** A workload never seen before: what an attacker's pod names look like. */
  private sprayed(): SprayedSeries {
    const n = ++this.sprayCount;
    const workload = `spray-${n.toString(36)}-${this.rng.suffix(6)}`;
    return { namespace: `spray-${n % 97}`, pod: `${workload}-${this.rng.suffix(5)}`, workload };
  }
}

function workloadOnly(e: SimEndpoint): SimEndpoint {
  return { namespace: e.namespace, pod: '', workload: e.workload, reserved: e.reserved };
}

function workloadKey(c: HubbleCounter): string {
  const w = (e: SimEndpoint) => e.reserved || `${e.namespace}/${e.workload}`;
  return `${c.direction}|${c.reason}|${c.protocol}|${c.port}|${w(c.source)}|${w(c.destination)}|${policiesText(c.policies)}`;
}

export function policiesText(policies: readonly SimPolicy[]): string {
  return policies.map((p) => `${p.kind}:${p.namespace}/${p.name}`).join(',');
}
