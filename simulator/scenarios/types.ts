/**
 * A scenario shapes what the simulated cluster does over time. The default is a steady cluster; other scenarios
 * add behaviour through these hooks (Kubernetes hard cases for unmanaged pods, labelled anomaly evaluations with
 * spikes, ramps, level shifts, seasonality and resets) without touching the core model.
 */
import type { SimulatedCluster, SimNode } from '../cluster';

/** Rates of the background dynamics; scenarios override the ones they need. */
export interface ScenarioParameters {
  /** Chance per node per 5 simulated seconds that a Deployment pod is replaced (deleted, then recreated). */
  churnPer5s: number;
  /** Share of pods, at start, that predate the agent and have no endpoint. */
  unmanagedShare: number;
  /** Chance per 5 simulated seconds that a cluster-wide policy change happens. */
  policyChangePer5s: number;
  /** Chance that one agent fails to import a policy change. */
  importFailureChance: number;
  /** Chance per 5 simulated seconds that a running Job pod completes. */
  jobCompletionPer5s: number;
  /** Ticks a completed Job pod stays listed before it is cleaned up (and a new Job pod starts). */
  completedPodTtlTicks: number;
}

export const DEFAULT_PARAMETERS: ScenarioParameters = {
  churnPer5s: 0.12,
  unmanagedShare: 0.006,
  policyChangePer5s: 0.02,
  importFailureChance: 0.004,
  jobCompletionPer5s: 0.04,
  completedPodTtlTicks: 120,
};

/** Chance per tick from a chance per 5 simulated seconds (the unit of the *Per5s parameters). */
export function scaleChance(per5s: number, tickSeconds: number): number {
  return 1 - Math.pow(1 - Math.min(1, per5s), tickSeconds / 5);
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly parameters: ScenarioParameters;
  /** Once, after the cluster is populated and before the first tick. */
  setup?(cluster: SimulatedCluster): void;
  /** At the start of every tick, before the nodes advance. */
  beforeTick?(cluster: SimulatedCluster): void;
  /** At the end of every tick, after the nodes and the operator advanced. */
  afterTick?(cluster: SimulatedCluster): void;
  /**
   * Multiplier of the background drop rate of one series during the tick being computed (1 = unchanged). Spikes
   * requested through the control API multiply on top.
   */
  dropRateFactor?(cluster: SimulatedCluster, node: SimNode, direction: string, reason: string): number;
}

export type ScenarioFactory = () => Scenario;
