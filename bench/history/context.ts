/**
 * What a backfill's nodes share: the time grid, the node names and their shards, and the cluster's events, drawn
 * once from the seed so that every node (generated one after the other, window by window) sees the same ones:
 * policy changes (a new revision every few hours that each agent picks up after its own lag), agent restarts and
 * agent outages per node, and from those the count of unreachable nodes at each step.
 */
import { shardOf } from '../../exporter/scrape/shard';
import { Prng, hashSeed } from '../../simulator/prng';

export interface BackfillShape {
  nodes: number;
  days: number;
  /** Seconds between samples (the scrape interval of the backfilled Prometheus). */
  resolutionSeconds: number;
  /** Unix ms of the last step (the default: now, rounded down to the resolution). */
  endMs?: number;
  /** Exporter shards the nodes are split over, each its own Prometheus target (instance). */
  shards?: number;
  seed?: number;
}

export interface PolicyEvent {
  /** Unix seconds the change was made (between two steps). */
  time: number;
  revision: number;
  policies: number;
}

/** A span of steps [from, to) of one node. */
export interface Span {
  from: number;
  to: number;
}

export interface NodeEvents {
  /** Steps at which the agent restarted (its counters start again from 0). */
  restarts: number[];
  /** Agent outages: not answering, values withdrawn, target_up 0. */
  outages: Span[];
}

export const JOB = 'ciliumscope-exporter';

/** node-000, node-001, ... (as the simulator names them; wider past 1,000 nodes). */
export function nodeName(index: number, nodes: number): string {
  return `node-${String(index).padStart(Math.max(3, String(nodes - 1).length), '0')}`;
}
export const instanceOf = (shard: number) => `ciliumscope-shard-${shard}:9967`;

export class ClusterContext {
  readonly seed: number;
  readonly nodes: string[];
  readonly shards: number;
  readonly shardOfNode: number[];
  readonly resolutionSeconds: number;
  readonly steps: number;
  /** Unix seconds of step 0. */
  readonly startSeconds: number;
  readonly policyEvents: PolicyEvent[];
  readonly events: NodeEvents[];
  /** Nodes in an outage at each step (what every other agent's cilium-health cannot reach). */
  readonly nodesDown: Uint16Array;

  constructor(shape: BackfillShape, firstRevision = 1, firstPolicies = 10) {
    if (!(shape.nodes >= 1 && shape.days > 0 && shape.resolutionSeconds >= 1)) {
      throw new Error('a backfill needs nodes >= 1, days > 0 and resolutionSeconds >= 1');
    }
    this.seed = shape.seed ?? 1;
    this.shards = shape.shards ?? 1;
    this.resolutionSeconds = Math.round(shape.resolutionSeconds);
    this.steps = Math.floor((shape.days * 86_400) / this.resolutionSeconds) + 1;
    const end = Math.floor((shape.endMs ?? Date.now()) / 1000 / this.resolutionSeconds) * this.resolutionSeconds;
    this.startSeconds = end - (this.steps - 1) * this.resolutionSeconds;
    this.nodes = Array.from({ length: shape.nodes }, (_, i) => nodeName(i, shape.nodes));
    this.shardOfNode = this.nodes.map((n) => shardOf(n, this.shards));
    this.policyEvents = this.drawPolicyEvents(firstRevision, firstPolicies);
    this.events = this.nodes.map((n) => this.drawNodeEvents(n));
    this.nodesDown = new Uint16Array(this.steps);
    for (const e of this.events) {
      for (const o of e.outages) {
        for (let k = o.from; k < o.to; k++) {
          this.nodesDown[k]++;
        }
      }
    }
  }

  timeOf(step: number): number {
    return this.startSeconds + step * this.resolutionSeconds;
  }

  /** Expected number of events in one step for a mean interval between them. */
  perStep(meanIntervalSeconds: number): number {
    return this.resolutionSeconds / meanIntervalSeconds;
  }

  /** A policy change every 3 hours on average, one revision each; the policy count drifts by one now and then. */
  private drawPolicyEvents(revision: number, policies: number): PolicyEvent[] {
    const rng = new Prng(hashSeed(this.seed, 'policy'));
    const out: PolicyEvent[] = [];
    const p = this.perStep(3 * 3600);
    for (let k = 1; k < this.steps; k++) {
      if (rng.chance(p)) {
        revision++;
        policies = Math.max(1, policies + (rng.chance(0.3) ? (rng.chance(0.6) ? 1 : -1) : 0));
        out.push({ time: this.timeOf(k - 1) + rng.range(0, this.resolutionSeconds), revision, policies });
      }
    }
    return out;
  }

  /** About one agent restart per node every 10 days, one outage of 30 min to 6 h per node every 60 days. */
  private drawNodeEvents(node: string): NodeEvents {
    const rng = new Prng(hashSeed(this.seed, 'events', node));
    const restarts: number[] = [];
    const outages: Span[] = [];
    const pRestart = this.perStep(10 * 86_400);
    const pOutage = this.perStep(60 * 86_400);
    for (let k = 1; k < this.steps; k++) {
      if (rng.chance(pOutage)) {
        const length = Math.max(1, Math.round(rng.range(1800, 6 * 3600) / this.resolutionSeconds));
        outages.push({ from: k, to: Math.min(this.steps, k + length) });
        // An agent that comes back after an outage has restarted.
        if (k + length < this.steps) {
          restarts.push(k + length);
        }
        k += length;
      } else if (rng.chance(pRestart)) {
        restarts.push(k);
      }
    }
    return { restarts, outages };
  }
}
