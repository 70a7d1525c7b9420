/**
 * Labelled drop anomalies for evaluating the exporter's detector: the scenarios named anomaly-* schedule spikes,
 * ramps, level shifts and agent restarts on top of the simulator's own bursty background drops, and record what they
 * did as labels (which node, direction and reason, from which tick to which). The evaluation harness and the tests
 * read the labels from the cluster's scenario.
 *
 * A factor follows the simulator's spike semantics: factor f adds (f - 1) times the series' background mean per tick
 * (at least (f - 1) packets per simulated second, see AgentState.extraDrops), so a 5× spike on a quiet series adds
 * about 4 packets/s.
 */
import type { SimNode, SimulatedCluster } from '../cluster';
import { DROP_PROFILES } from '../drop-reasons';
import { Prng, hashSeed } from '../prng';
import { DEFAULT_PARAMETERS, type Scenario } from './types';

export type AnomalyKind = 'spike' | 'cluster-spike' | 'ramp' | 'level-shift';

export interface AnomalyLabel {
  id: number;
  /** Labels of one cluster-wide event share a group (one label per affected node). */
  group: number;
  kind: AnomalyKind;
  node: string;
  direction: string;
  reason: string;
  /** Spike factor, or the peak factor of a ramp, or the new level of a level shift. */
  factor: number;
  /** First tick whose drops carry the anomaly. */
  startTick: number;
  /** First tick from which an alert is due (a ramp: when its factor reaches RAMP_DUE_FACTOR; else startTick). */
  dueTick: number;
  /** First tick after the labelled period. A level shift goes on after it: it is the new normal by then. */
  endTick: number;
  /** The node had never reported this direction × reason (a drop reason appearing). */
  newSeries: boolean;
}

export interface AgentResetEvent {
  node: string;
  /** The tick in which the agent restarted (its counters start again from zero). */
  tick: number;
}

export interface LabelledScenario extends Scenario {
  /** Labels scheduled so far; the list grows as the cluster ticks (events are planned as they come due). */
  labels(): readonly AnomalyLabel[];
  /** Agent restarts the scenario caused. */
  resets(): readonly AgentResetEvent[];
  /** Simulated seconds before the first event: a quiet period for detectors to learn a baseline. */
  readonly settleSeconds: number;
}

export function isLabelledScenario(scenario: Scenario): scenario is LabelledScenario {
  return (
    typeof (scenario as Partial<LabelledScenario>).labels === 'function' &&
    typeof (scenario as Partial<LabelledScenario>).resets === 'function'
  );
}

/** A ramp counts as an anomaly from the tick its factor reaches this (before, it is within ordinary variation). */
export const RAMP_DUE_FACTOR = 5;
/** Quiet time at the start of every anomaly scenario. */
export const SETTLE_SECONDS = 2 * 3600;

/** A multiplier of one node's drop series over a span of ticks; `at` gives the factor at a tick inside the span. */
interface Effect {
  direction: string;
  reason: string;
  fromTick: number;
  /** Exclusive; Infinity for a permanent change. */
  toTick: number;
  at(tick: number): number;
}

/**
 * The bookkeeping every anomaly scenario shares: its own random stream (from the cluster seed, so runs repeat),
 * the labels, the per-node effects that dropRateFactor applies, and helpers to pick nodes and series.
 */
export class AnomalyBook {
  readonly rng: Prng;
  readonly labels: AnomalyLabel[] = [];
  readonly resets: AgentResetEvent[] = [];
  private readonly effects = new Map<string, Effect[]>();
  /** Last tick each node was touched by an event, to leave nodes time to recover between events. */
  private readonly lastTouched = new Map<string, number>();
  private nextId = 1;
  private nextGroup = 1;

  constructor(
    readonly cluster: SimulatedCluster,
    scenarioName: string
  ) {
    this.rng = new Prng(hashSeed(cluster.seed, 'anomaly-scenario', scenarioName));
  }

  ticks(seconds: number): number {
    return Math.max(1, Math.round(seconds / this.cluster.tickSeconds));
  }

  get settleTicks(): number {
    return this.ticks(SETTLE_SECONDS);
  }

  /** A node not touched for `restSeconds`, or null when every node was touched recently. */
  pickRestedNode(restSeconds: number): SimNode | null {
    const now = this.cluster.tickCount;
    const rest = this.ticks(restSeconds);
    const candidates = this.cluster.nodes.filter(
      (n) => n.agent !== null && now - (this.lastTouched.get(n.name) ?? -Infinity) >= rest
    );
    return candidates.length ? this.rng.pick(candidates) : null;
  }

  touch(node: string): void {
    this.lastTouched.set(node, this.cluster.tickCount);
  }

  /** One of the node's own background series, or, with chance `newShare`, a reason the node never drops for. */
  pickSeries(node: SimNode, newShare: number): { direction: string; reason: string; newSeries: boolean } | null {
    const own = node.agent?.dropProfiles ?? [];
    const others = DROP_PROFILES.filter((p) => !own.some((o) => o.direction === p.direction && o.reason === p.reason));
    if (others.length && (own.length === 0 || this.rng.chance(newShare))) {
      const p = this.rng.pick(others);
      return { direction: p.direction, reason: p.reason, newSeries: true };
    }
    if (!own.length) {
      return null;
    }
    const p = this.rng.pick(own);
    return { direction: p.direction, reason: p.reason, newSeries: false };
  }

  hasSeries(node: SimNode, direction: string, reason: string): boolean {
    return (node.agent?.dropProfiles ?? []).some((p) => p.direction === direction && p.reason === reason);
  }

  label(l: Omit<AnomalyLabel, 'id' | 'group'> & { group?: number }): AnomalyLabel {
    const full: AnomalyLabel = { ...l, id: this.nextId++, group: l.group ?? this.newGroup() };
    this.labels.push(full);
    return full;
  }

  newGroup(): number {
    return this.nextGroup++;
  }

  /** A spike through the cluster's own spike mechanism (the control API's), starting in the current tick. */
  spike(
    node: string,
    direction: string,
    reason: string,
    factor: number,
    ticks: number,
    kind: 'spike' | 'cluster-spike',
    group?: number
  ): void {
    this.cluster.addSpike({ node, direction, reason, factor, ticks });
    const now = this.cluster.tickCount;
    const targets = node === '*' ? this.cluster.nodes : [this.cluster.requireNode(node)];
    for (const n of targets) {
      this.label({
        kind,
        node: n.name,
        direction,
        reason,
        factor,
        startTick: now,
        dueTick: now,
        endTick: now + ticks,
        newSeries: !this.hasSeries(n, direction, reason),
        group,
      });
      this.touch(n.name);
    }
  }

  addEffect(node: string, effect: Effect): void {
    const list = this.effects.get(node) ?? [];
    list.push(effect);
    this.effects.set(node, list);
  }

  restart(node: string): void {
    this.cluster.restartAgent(node);
    this.resets.push({ node, tick: this.cluster.tickCount });
    this.touch(node);
  }

  /** The product of the node's effects on a series in the current tick; expired effects are dropped. */
  factor(node: SimNode, direction: string, reason: string): number {
    const list = this.effects.get(node.name);
    if (!list) {
      return 1;
    }
    const tick = this.cluster.tickCount;
    let factor = 1;
    let expired = false;
    for (const e of list) {
      if (tick >= e.toTick) {
        expired = true;
      } else if (tick >= e.fromTick && e.direction === direction && e.reason === reason) {
        factor *= e.at(tick);
      }
    }
    if (expired) {
      const live = list.filter((e) => tick < e.toTick);
      if (live.length) {
        this.effects.set(node.name, live);
      } else {
        this.effects.delete(node.name);
      }
    }
    return factor;
  }
}

export interface AnomalyScenarioSpec {
  name: string;
  description: string;
  /** Once the cluster exists: choose noisy nodes, plan permanent changes. */
  setup?(book: AnomalyBook): void;
  /** Every tick after the settle period: start the events that are due. */
  step(book: AnomalyBook): void;
  /** A factor of the scenario's own on top of the book's effects (seasonality, background noise). */
  extraFactor?(book: AnomalyBook, node: SimNode, direction: string, reason: string): number;
}

/** Builds a LabelledScenario from a spec: the book is created at setup, events start after the settle period. */
export function anomalyScenario(spec: AnomalyScenarioSpec): LabelledScenario {
  let book: AnomalyBook | null = null;
  return {
    name: spec.name,
    description: spec.description,
    parameters: { ...DEFAULT_PARAMETERS },
    settleSeconds: SETTLE_SECONDS,
    labels: () => book?.labels ?? [],
    resets: () => book?.resets ?? [],
    setup(cluster) {
      book = new AnomalyBook(cluster, spec.name);
      spec.setup?.(book);
    },
    beforeTick(cluster) {
      if (book && cluster.tickCount >= book.settleTicks) {
        spec.step(book);
      }
    },
    dropRateFactor(_cluster, node, direction, reason) {
      if (!book) {
        return 1;
      }
      const own = book.factor(node, direction, reason);
      return spec.extraFactor ? own * spec.extraFactor(book, node, direction, reason) : own;
    },
  };
}

/**
 * A step that acts at random gaps of simulated time: once every `every` seconds (a span drawn in the range at each
 * event), the first time after one such span, or after `first(book)` seconds where given (taken after the first
 * span is drawn, so a seeded run draws the same numbers).
 */
export function atCadence(
  timing: { every: [number, number]; first?: (book: AnomalyBook) => number },
  act: (book: AnomalyBook) => void
): (book: AnomalyBook) => void {
  let nextTick = -1;
  return (book) => {
    const now = book.cluster.tickCount;
    if (nextTick >= 0 && now < nextTick) {
      return;
    }
    const first = nextTick < 0;
    nextTick = now + book.ticks(book.rng.range(...timing.every));
    if (first && timing.first) {
      nextTick = now + book.ticks(timing.first(book));
    }
    if (!first) {
      act(book);
    }
  };
}

/**
 * Plans one-node spikes at random gaps: each on a node left alone for a while, on one of its series (sometimes a
 * reason it never dropped for), with factors taken in turn from `factors`.
 */
export function spikePlanner(options: {
  factors: number[];
  gapSeconds: [number, number];
  durationSeconds: [number, number];
  newShare: number;
}) {
  let turn = 0;
  return atCadence({ every: options.gapSeconds }, (book) => {
    const node = book.pickRestedNode(5400);
    const series = node && book.pickSeries(node, options.newShare);
    if (!node || !series) {
      return;
    }
    const factor = options.factors[turn++ % options.factors.length];
    book.spike(
      node.name,
      series.direction,
      series.reason,
      factor,
      book.ticks(book.rng.range(...options.durationSeconds)),
      'spike'
    );
  });
}
