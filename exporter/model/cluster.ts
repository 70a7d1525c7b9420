/**
 * The cluster as the exporter knows it: every target's scrape status, every node's last good agent sample and
 * the rates since the one before, and the operator. It is the sink of the scrape scheduler; it knows nothing of
 * HTTP, Prometheus exposition or Kubernetes.
 */
import type { AgentSample, OperatorSample } from '../cilium/sample';
import type { HubbleSample } from '../hubble/normalise';
import type { ScrapeErrorKind, ScrapeOutcome } from '../scrape/client';
import type { CycleSink, CycleStats } from '../scrape/scheduler';
import type { ScrapeTarget } from '../scrape/targets';
import { type AgentRates, deriveRates } from './rates';

export type ScrapedSample =
  | { component: 'agent'; sample: AgentSample }
  | { component: 'operator'; sample: OperatorSample }
  | { component: 'hubble'; sample: HubbleSample };

/** Receives every Hubble metrics page as it is scraped; the model keeps only the target's status, not the page. */
export type HubblePageListener = (node: string, sample: HubbleSample, at: number) => void;

export interface TargetState {
  target: ScrapeTarget;
  up: boolean;
  lastScrape: number | null;
  lastSuccess: number | null;
  durationMs: number | null;
  bytes: number | null;
  error: string | null;
  errorKind: ScrapeErrorKind | null;
  consecutiveFailures: number;
  /** Failed scrapes by kind since the exporter started. */
  failures: Partial<Record<ScrapeErrorKind, number>>;
  scrapes: number;
}

export interface NodeState {
  name: string;
  agent: TargetState;
  /** Last good sample and when it was taken; kept while the agent fails, marked stale after staleAfterMs. */
  sample: AgentSample | null;
  sampleAt: number | null;
  /** Rates between the last two good samples, and when the later one was taken. */
  rates: AgentRates | null;
  ratesAt: number | null;
  /** Agent restarts seen (process start time changed or counters went down). */
  restarts: number;
  lastRestartAt: number | null;
}

export interface OperatorState {
  target: TargetState;
  sample: OperatorSample | null;
  sampleAt: number | null;
}

export type CycleListener = (model: ClusterModel, stats: CycleStats) => void;

export interface ClusterModelOptions {
  staleAfterMs: number;
  /** Host and health endpoints the agent counts besides pods. */
  nonPodEndpoints: number;
  now?: () => number;
}

export class ClusterModel implements CycleSink<ScrapedSample> {
  private readonly nodeStates = new Map<string, NodeState>();
  private operatorState: OperatorState | null = null;
  /** Hubble metrics targets by node. */
  private readonly hubbleStates = new Map<string, TargetState>();
  private hubbleListener: HubblePageListener | null = null;
  private readonly listeners: CycleListener[] = [];
  private cycle: CycleStats | null = null;
  private cycles = 0;
  readonly now: () => number;

  constructor(readonly options: ClusterModelOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Called after every cycle, in registration order (derivations first, then recorders). */
  onCycle(listener: CycleListener): void {
    this.listeners.push(listener);
  }

  /** Where Hubble metrics pages go (the workload drops model). */
  onHubblePage(listener: HubblePageListener): void {
    this.hubbleListener = listener;
  }

  beginCycle(_startedAt: number, targets: ScrapeTarget[]): void {
    const agentNodes = new Set<string>();
    const hubbleNodes = new Set<string>();
    let operator: ScrapeTarget | null = null;
    for (const t of targets) {
      if (t.component === 'hubble') {
        hubbleNodes.add(t.node);
        const state = this.hubbleStates.get(t.node);
        if (!state) {
          this.hubbleStates.set(t.node, newTargetState(t));
        } else {
          state.target = t;
        }
      } else if (t.component === 'agent') {
        agentNodes.add(t.node);
        const state = this.nodeStates.get(t.node);
        if (!state) {
          this.nodeStates.set(t.node, newNodeState(t));
        } else if (state.agent.target.id !== t.id) {
          // Same node, new agent pod (new IP): keep the node's data, follow the new target.
          state.agent.target = t;
        }
      } else {
        operator = t;
      }
    }
    for (const name of [...this.nodeStates.keys()]) {
      if (!agentNodes.has(name)) {
        this.nodeStates.delete(name);
      }
    }
    for (const name of [...this.hubbleStates.keys()]) {
      if (!hubbleNodes.has(name)) {
        this.hubbleStates.delete(name);
      }
    }
    if (!operator) {
      this.operatorState = null;
    } else if (!this.operatorState) {
      this.operatorState = { target: newTargetState(operator), sample: null, sampleAt: null };
    } else {
      this.operatorState.target.target = operator;
    }
  }

  recordScrape(target: ScrapeTarget, outcome: ScrapeOutcome<ScrapedSample>, at: number): void {
    if (target.component === 'hubble') {
      const ts = this.hubbleStates.get(target.node);
      if (ts && recordOutcome(ts, outcome, at) && outcome.ok && outcome.value.component === 'hubble') {
        this.hubbleListener?.(target.node, outcome.value.sample, at);
      }
      return;
    }
    const state = target.component === 'agent' ? this.nodeStates.get(target.node) : this.operatorState;
    if (!state) {
      return;
    }
    const ts = 'agent' in state ? state.agent : state.target;
    if (!recordOutcome(ts, outcome, at) || !outcome.ok) {
      return;
    }
    const scraped = outcome.value;
    if (scraped.component === 'agent' && 'agent' in state) {
      this.acceptAgentSample(state, scraped.sample, at);
    } else if (scraped.component === 'operator' && !('agent' in state)) {
      state.sample = scraped.sample;
      state.sampleAt = at;
    }
  }

  endCycle(stats: CycleStats): void {
    this.cycle = stats;
    this.cycles++;
    for (const listener of this.listeners) {
      listener(this, stats);
    }
  }

  private acceptAgentSample(state: NodeState, sample: AgentSample, at: number): void {
    if (state.sample && state.sampleAt !== null && at > state.sampleAt) {
      const rates = deriveRates(state.sample, sample, (at - state.sampleAt) / 1000);
      state.rates = rates;
      state.ratesAt = at;
      if (rates.restarted) {
        state.restarts++;
        state.lastRestartAt = at;
      }
    }
    state.sample = sample;
    state.sampleAt = at;
  }

  nodes(): NodeState[] {
    return [...this.nodeStates.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  node(name: string): NodeState | undefined {
    return this.nodeStates.get(name);
  }

  operator(): OperatorState | null {
    return this.operatorState;
  }

  /** Hubble metrics targets by node name, sorted. */
  hubbleTargets(): TargetState[] {
    return [...this.hubbleStates.values()].sort((a, b) =>
      a.target.node < b.target.node ? -1 : a.target.node > b.target.node ? 1 : 0
    );
  }

  hubbleTarget(node: string): TargetState | undefined {
    return this.hubbleStates.get(node);
  }

  /** Whether a target's last good data is older than staleAfterMs (or it never had any). */
  isTargetStale(state: TargetState, now = this.now()): boolean {
    return state.lastSuccess === null || now - state.lastSuccess > this.options.staleAfterMs;
  }

  lastCycle(): CycleStats | null {
    return this.cycle;
  }

  cycleCount(): number {
    return this.cycles;
  }

  isStale(node: NodeState, now = this.now()): boolean {
    return node.sampleAt === null || now - node.sampleAt > this.options.staleAfterMs;
  }

  /** Endpoints that are pods: the agent's total minus its host and health endpoints. */
  podEndpoints(node: NodeState): number | null {
    const total = node.sample?.endpoints ?? null;
    return total === null ? null : Math.max(0, total - this.options.nonPodEndpoints);
  }

  /** Drop reasons currently reported anywhere in the cluster. */
  dropReasonsSeen(): Set<string> {
    const seen = new Set<string>();
    for (const n of this.nodeStates.values()) {
      for (const d of n.sample?.dropped ?? []) {
        seen.add(d.reason);
      }
    }
    return seen;
  }
}

/** Records a scrape's outcome on its target; false when the outcome is a failure. */
function recordOutcome(ts: TargetState, outcome: ScrapeOutcome<unknown>, at: number): boolean {
  ts.scrapes++;
  ts.lastScrape = at;
  ts.durationMs = outcome.durationMs;
  if (!outcome.ok) {
    ts.up = false;
    ts.error = outcome.error;
    ts.errorKind = outcome.kind;
    ts.consecutiveFailures++;
    ts.failures[outcome.kind] = (ts.failures[outcome.kind] ?? 0) + 1;
    return false;
  }
  ts.up = true;
  ts.error = null;
  ts.errorKind = null;
  ts.consecutiveFailures = 0;
  ts.lastSuccess = at;
  ts.bytes = outcome.bytes;
  return true;
}

function newTargetState(target: ScrapeTarget): TargetState {
  return {
    target,
    up: false,
    lastScrape: null,
    lastSuccess: null,
    durationMs: null,
    bytes: null,
    error: null,
    errorKind: null,
    consecutiveFailures: 0,
    failures: {},
    scrapes: 0,
  };
}

function newNodeState(target: ScrapeTarget): NodeState {
  return {
    name: target.node,
    agent: newTargetState(target),
    sample: null,
    sampleAt: null,
    rates: null,
    ratesAt: null,
    restarts: 0,
    lastRestartAt: null,
  };
}
