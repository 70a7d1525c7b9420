/**
 * Drop spikes asked for through the API or the control endpoint: each multiplies one drop series' rate on a node
 * (or on every node, node "*") for a number of ticks, and injects the series where the node does not drop for that
 * reason otherwise.
 */
import type { DropRateFactor, InjectedDrop } from './agent';
import { checkInteger, checkNumber, ClusterOptionsError } from './checks';

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

/** Spikes that may be active at once. */
export const MAX_ACTIVE_SPIKES = 10_000;

export class Spikes {
  private spikes: ActiveSpike[] = [];

  /** Checks a spike (all but its node, which the cluster knows) and starts it. */
  add(spec: SpikeSpec): void {
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
  }

  /** Copies of the active spikes. */
  active(): ActiveSpike[] {
    return this.spikes.map((s) => ({ ...s }));
  }

  /** One tick has passed: spikes count down and the finished ones end. */
  endTick(): void {
    for (const spike of this.spikes) {
      spike.remainingTicks--;
    }
    this.spikes = this.spikes.filter((s) => s.remainingTicks > 0);
  }

  /**
   * The drop-rate multiplier of a node this tick: the scenario's (if it has one) times every spike on the node's
   * series.
   */
  dropFactor(node: string, scenarioFactor?: DropRateFactor): DropRateFactor {
    const spikes = this.on(node);
    if (spikes.length === 0 && !scenarioFactor) {
      return () => 1;
    }
    return (direction, reason) => {
      let factor = scenarioFactor ? scenarioFactor(direction, reason) : 1;
      for (const spike of spikes) {
        if (spike.direction === direction && spike.reason === reason) {
          factor *= spike.factor;
        }
      }
      return factor;
    };
  }

  /** The series the node's spikes ask for, which the agent adds where it does not drop for that reason already. */
  injected(node: string): InjectedDrop[] {
    return this.on(node).map((s) => ({ direction: s.direction, reason: s.reason, factor: s.factor }));
  }

  private on(node: string): ActiveSpike[] {
    return this.spikes.filter((s) => s.node === node || s.node === '*');
  }
}
