/**
 * Drops by workload pair for every node: the model the exporter's /metrics, history and API read. Fed either by a
 * node's Hubble metrics page (cumulative counters turned into increments by the node's SeriesTracker) or by the
 * drop flows Hubble Relay streams for nodes without a Hubble metrics target; both go through the same bounded
 * NodePairs, so the same rules (top K per reason, other row, monotonic counters) hold whatever the source.
 *
 * Memory is bounded per node: the tracker holds at most `maxSeries` series ids, each reason's summary `capacity`
 * pairs, at most MAX_REASONS_PER_NODE reasons; relay-fed nodes are capped at `maxRelayNodes`.
 */
import type { ContextForm, EndpointRef } from './context';
import type { HubbleSample, PolicyVerdictCount } from './normalise';
import { NodePairs, OTHER, type OtherRow, type PairState } from './pairs';
import { SeriesTracker } from './tracker';

export type DropsSource = 'metrics' | 'relay';

export interface NodeDrops {
  node: string;
  source: DropsSource;
  pairs: NodePairs;
  /** Last time this node's pairs were settled (a page read, or a cycle with relay flows), ms. */
  settledAt: number | null;
  /** Seconds between the last two settles: the interval of `lastIncrease`. */
  intervalSeconds: number | null;
  /** Pairs held and evictions so far, as of the last settle (what /metrics writes at `settledAt`). */
  settled: { heldPairs: number; evictions: number };
  /** Metrics-fed nodes: the page's context and what it carried. */
  page: PageFacts | null;
}

export interface PageFacts {
  form: ContextForm;
  forms: Partial<Record<ContextForm, number>>;
  unknownLabels: string[];
  hasDrops: boolean;
  /** Drop series on the last page not read: beyond the normaliser's cap plus beyond the tracker's. */
  untrackedSeries: number;
  /** Agent restarts seen on Hubble pages (a series went down). */
  restarts: number;
  /** The last page only set baselines. */
  baselineOnly: boolean;
  flowsProcessed: Record<string, number>;
  policyVerdicts: PolicyVerdictCount[];
  lostEvents: Record<string, number>;
}

export interface WorkloadDropsOptions {
  /** Pairs kept (exported) per node and reason: --hubble-top-k. */
  topK: number;
  /** Drop series tracked per node: --hubble-max-series. */
  maxSeries: number;
  /** Half-life of the decayed counts that rank pairs. */
  halfLifeMs: number;
  /** Relay-fed nodes tracked at most (flows naming more nodes are counted, not kept). */
  maxRelayNodes?: number;
}

/** One exported row: a kept pair or an other row. */
export interface WorkloadDropRow {
  node: string;
  reason: string;
  direction: string;
  source: EndpointRef;
  destination: EndpointRef;
  /** Cumulative packets of the row's counter. */
  packets: number;
  /** Packets added at the last settle. */
  lastIncrease: number;
  other: boolean;
}

/** The labels that name a workload pair: a row of ciliumscope_workload_dropped_packets_total less its node. */
export const PAIR_LABELS = [
  'source_namespace',
  'source_workload',
  'destination_namespace',
  'destination_workload',
  'reason',
  'direction',
] as const;

/** The labels of a row on /metrics and in the history (ciliumscope_workload_dropped_packets_total). */
export const WORKLOAD_DROPS_LABELS = ['node', ...PAIR_LABELS] as const;

export function workloadLabels(row: WorkloadDropRow): Record<(typeof WORKLOAD_DROPS_LABELS)[number], string> {
  return {
    node: row.node,
    source_namespace: row.source.namespace,
    source_workload: row.source.workload,
    destination_namespace: row.destination.namespace,
    destination_workload: row.destination.workload,
    reason: row.reason,
    direction: row.direction,
  };
}

const OTHER_ENDPOINT: EndpointRef = Object.freeze({ namespace: OTHER, workload: OTHER });

export class WorkloadDrops {
  private readonly byNode = new Map<string, NodeDrops>();
  private readonly trackers = new Map<string, SeriesTracker>();
  private readonly capacity: number;
  private readonly maxRelayNodes: number;
  /** Relay flows dropped because they named a node beyond maxRelayNodes. */
  refusedRelayFlows = 0;

  constructor(readonly options: WorkloadDropsOptions) {
    this.capacity = 2 * options.topK;
    this.maxRelayNodes = options.maxRelayNodes ?? 5000;
  }

  /** A node's Hubble metrics page, read at `at` (ms). */
  ingestPage(node: string, sample: HubbleSample, at: number): void {
    const state = this.state(node, 'metrics')!;
    let tracker = this.trackers.get(node);
    if (!tracker) {
      tracker = new SeriesTracker(this.options.maxSeries);
      this.trackers.set(node, tracker);
    }
    const result = tracker.update(sample.drops, sample.overflowSeries === 0, (s, increase) =>
      state.pairs.add(s.reason, s.direction, s.source, s.destination, increase)
    );
    const previous = state.page;
    state.page = {
      form: sample.form,
      forms: sample.forms,
      unknownLabels: sample.unknownLabels,
      hasDrops: sample.hasDrops,
      untrackedSeries: sample.overflowSeries + result.untracked,
      restarts: (previous?.restarts ?? 0) + (result.restarted ? 1 : 0),
      baselineOnly: result.baselineOnly,
      flowsProcessed: sample.flowsProcessed,
      policyVerdicts: sample.policyVerdicts,
      lostEvents: sample.lostEvents,
    };
    this.settle(state, at);
  }

  /** One drop flow from Hubble Relay; ignored for nodes whose drops come from their metrics page. */
  addFlow(node: string, reason: string, direction: string, source: EndpointRef, destination: EndpointRef): void {
    const state = this.state(node, 'relay');
    if (state === null) {
      this.refusedRelayFlows++;
    } else if (state.source === 'relay') {
      state.pairs.add(reason, direction, source, destination, 1);
    }
  }

  /** Routes the relay flows received since the last call (once per scrape cycle). */
  settleRelay(at: number): void {
    for (const state of this.byNode.values()) {
      if (state.source === 'relay') {
        this.settle(state, at);
      }
    }
  }

  /**
   * Keeps the metrics-fed nodes that still have a Hubble target; a node whose target went away is forgotten (its
   * series leave /metrics at once).
   */
  retainMetricsNodes(nodes: ReadonlySet<string>): void {
    for (const [node, state] of this.byNode) {
      if (state.source === 'metrics' && !nodes.has(node)) {
        this.byNode.delete(node);
        this.trackers.delete(node);
      }
    }
  }

  /** Declares the nodes whose drops come from their metrics page, so relay flows for them are not counted twice. */
  claimMetricsNode(node: string): void {
    const state = this.byNode.get(node);
    if (state?.source === 'relay') {
      this.byNode.delete(node);
    }
    this.state(node, 'metrics');
  }

  nodes(): NodeDrops[] {
    return [...this.byNode.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  }

  node(name: string): NodeDrops | undefined {
    return this.byNode.get(name);
  }

  /** Every exported row of a node: kept pairs, then other rows. */
  *rows(state: NodeDrops): Generator<WorkloadDropRow> {
    for (const row of state.pairs.rows()) {
      yield row.pair ? pairRow(state.node, row.reason, row.pair) : otherRow(state.node, row.reason, row.other!);
    }
  }

  private state(node: string, source: DropsSource): NodeDrops | null {
    let state = this.byNode.get(node);
    if (!state) {
      if (source === 'relay' && this.relayNodeCount() >= this.maxRelayNodes) {
        return null;
      }
      state = {
        node,
        source,
        pairs: new NodePairs(this.options.topK, this.capacity),
        settledAt: null,
        intervalSeconds: null,
        settled: { heldPairs: 0, evictions: 0 },
        page: null,
      };
      this.byNode.set(node, state);
    }
    return state;
  }

  private relayNodeCount(): number {
    let n = 0;
    for (const state of this.byNode.values()) {
      n += state.source === 'relay' ? 1 : 0;
    }
    return n;
  }

  private settle(state: NodeDrops, at: number): void {
    const elapsedMs = state.settledAt === null ? 0 : Math.max(0, at - state.settledAt);
    state.intervalSeconds = state.settledAt === null ? null : elapsedMs / 1000;
    state.settledAt = at;
    state.pairs.settle(Math.pow(0.5, elapsedMs / this.options.halfLifeMs));
    state.settled = { heldPairs: state.pairs.heldPairs, evictions: state.pairs.evictions };
  }
}

function pairRow(node: string, reason: string, pair: PairState): WorkloadDropRow {
  return {
    node,
    reason,
    direction: pair.direction,
    source: { namespace: pair.sourceNamespace, workload: pair.sourceWorkload },
    destination: { namespace: pair.destinationNamespace, workload: pair.destinationWorkload },
    packets: pair.packets,
    lastIncrease: pair.lastIncrease,
    other: false,
  };
}

function otherRow(node: string, reason: string, row: OtherRow): WorkloadDropRow {
  return {
    node,
    reason,
    direction: row.direction,
    source: OTHER_ENDPOINT,
    destination: OTHER_ENDPOINT,
    packets: row.packets,
    lastIncrease: row.lastIncrease,
    other: true,
  };
}
