/**
 * One node's Cilium agent: its endpoints and every counter and gauge its metrics page shows. Counters only grow,
 * except through restart(), which resets them as a new agent process would. Regenerations (agent-regenerations.ts)
 * and the health gauges and process collector (agent-health.ts) keep their own state; this holds the endpoints,
 * policy and traffic.
 */
import { AgentHealth } from './agent-health';
import { Regenerations } from './agent-regenerations';
import { DIRECTIONS, DROP_PROFILES, type Direction, type DropProfile } from './drop-reasons';
import type { EndpointState, EnforcementMode, SimEndpoint } from './model';
import { Prng } from './prng';
import { compareStrings } from './values';
import type { AgentNaming } from './versions';

export interface TrafficTotals {
  packets: number;
  bytes: number;
}

export interface DropSeries extends TrafficTotals {
  direction: string;
  reason: string;
}

/** Extra drop-rate multipliers for this tick (spikes, scenarios); 1 when nothing applies. */
export type DropRateFactor = (direction: string, reason: string) => number;

/** An extra drop series a spike or scenario injects on a reason the node does not otherwise drop for. */
export interface InjectedDrop {
  direction: string;
  reason: string;
  factor: number;
}

export const ENFORCEMENT_MODES_OLD: readonly EnforcementMode[] = ['both', 'egress', 'ingress', 'none'];
export const ENFORCEMENT_MODES: readonly EnforcementMode[] = [
  'audit-both',
  'audit-egress',
  'audit-ingress',
  'both',
  'egress',
  'ingress',
  'none',
];

/** States the agent's gauge vector shows from the start (others appear once used). */
const INITIAL_STATES: readonly EndpointState[] = [
  'ready',
  'regenerating',
  'waiting-for-identity',
  'waiting-to-regenerate',
];

export interface AgentOptions {
  nodeName: string;
  naming: AgentNaming;
  minorVersion: number;
  tickSeconds: number;
  nowSeconds: number;
  /** Policies currently in the cluster. */
  policies: number;
  seed: number;
  /** Node index, for the health endpoint's address. */
  healthIp: string;
}

export class AgentState {
  readonly nodeName: string;
  readonly naming: AgentNaming;
  readonly rng: Prng;
  readonly dropProfiles: readonly DropProfile[];
  private readonly tickSeconds: number;
  private readonly ppsPerEndpoint: Record<Direction, number>;
  private readonly bytesPerPacket: Record<Direction, number>;
  private readonly healthIp: string;

  /** Endpoints by id, in creation order. */
  readonly endpoints = new Map<number, SimEndpoint>();
  private nextEndpointId: number;

  readonly regenerations: Regenerations;
  forwarded: Record<Direction, TrafficTotals> = { INGRESS: { packets: 0, bytes: 0 }, EGRESS: { packets: 0, bytes: 0 } };
  /** Drop series keyed "direction|reason"; a series exists from its first dropped packet. */
  drops = new Map<string, DropSeries>();
  policyChanges = { success: 0, failure: 0 };
  policies: number;
  policyRevision: number;
  /** Health gauges, BPF map pressure and the process collector. */
  readonly health: AgentHealth;
  /** States that have been used since the agent started (the gauge vector keeps them, at 0 when empty). */
  seenStates = new Set<EndpointState>(INITIAL_STATES);
  restarts = 0;
  /** Sees every batch of dropped packets as it is counted (Hubble's attribution of the same drops). */
  dropListener: ((direction: string, reason: string, packets: number) => void) | null = null;
  /** Called when the agent process restarts (Hubble's counters live in the same process). */
  restartListener: (() => void) | null = null;

  constructor(options: AgentOptions) {
    this.nodeName = options.nodeName;
    this.naming = options.naming;
    this.tickSeconds = options.tickSeconds;
    this.rng = new Prng(options.seed);
    this.healthIp = options.healthIp;
    this.regenerations = new Regenerations(this.rng, options.naming, options.minorVersion);
    this.dropProfiles = DROP_PROFILES.filter(
      (p) => p.sinceMinor <= options.minorVersion && this.rng.chance(p.nodeShare)
    );
    this.ppsPerEndpoint = { INGRESS: this.rng.logNormal(40, 0.5), EGRESS: this.rng.logNormal(32, 0.5) };
    this.bytesPerPacket = {
      INGRESS: Math.round(this.rng.range(350, 1100)),
      EGRESS: Math.round(this.rng.range(250, 900)),
    };
    this.nextEndpointId = 100 + this.rng.int(3000);
    this.policies = options.policies;
    this.policyRevision = options.policies + 1 + this.rng.int(40);
    this.health = new AgentHealth(this.rng, options.naming, options.tickSeconds, options.nowSeconds);
    this.createEndpoint('host', null, 1, null, 'none', 'ready');
    this.createEndpoint('health', null, 4, this.healthIp, 'none', 'ready');
    this.updateProcess();
  }

  createEndpoint(
    kind: SimEndpoint['kind'],
    podKey: string | null,
    identity: number,
    ipv4: string | null,
    enforcement: EnforcementMode,
    state: EndpointState
  ): SimEndpoint {
    const endpoint: SimEndpoint = {
      id: this.nextEndpointId++,
      kind,
      podKey,
      state,
      stateTicks: 0,
      pendingRegeneration: state === 'ready' ? null : 'full',
      identity,
      ipv4,
      enforcement,
    };
    this.endpoints.set(endpoint.id, endpoint);
    this.seenStates.add(state);
    return endpoint;
  }

  removeEndpoint(endpoint: SimEndpoint): void {
    this.endpoints.delete(endpoint.id);
  }

  setState(endpoint: SimEndpoint, state: EndpointState): void {
    endpoint.state = state;
    endpoint.stateTicks = 0;
    this.seenStates.add(state);
  }

  /** One tick of the endpoint state machine: identities resolve, regenerations complete or fail and retry. */
  advanceEndpoints(): void {
    for (const endpoint of this.endpoints.values()) {
      endpoint.stateTicks++;
      switch (endpoint.state) {
        case 'waiting-for-identity':
        case 'waiting-to-regenerate':
        case 'not-ready':
          this.setState(endpoint, 'regenerating');
          endpoint.pendingRegeneration ??= 'full';
          break;
        case 'regenerating':
        case 'restoring':
          this.completeRegeneration(endpoint);
          break;
        case 'ready':
        case 'disconnecting':
          break;
      }
    }
  }

  private completeRegeneration(endpoint: SimEndpoint): void {
    const kind = endpoint.pendingRegeneration ?? 'policy';
    const failed = this.rng.chance(kind === 'full' ? 0.015 : 0.002);
    this.regenerations.record(kind, !failed);
    if (failed) {
      this.setState(endpoint, 'waiting-to-regenerate');
      endpoint.pendingRegeneration = kind;
    } else {
      this.setState(endpoint, 'ready');
      endpoint.pendingRegeneration = null;
    }
  }

  /** Counters as they stand after the agent has been up since its process start (called once endpoints exist). */
  seedHistory(nowSeconds: number): void {
    const uptime = Math.max(0, nowSeconds - this.health.processStartTimeSeconds);
    const endpoints = [...this.endpoints.values()];
    const podEndpoints = endpoints.filter((e) => e.kind === 'pod').length;
    for (let i = 0; i < endpoints.length; i++) {
      this.regenerations.record('full', true);
    }
    const policyRounds = this.rng.int(3);
    for (let round = 0; round < policyRounds; round++) {
      for (const endpoint of endpoints) {
        if (endpoint.kind === 'pod' && endpoint.enforcement !== 'none') {
          this.regenerations.record('policy', true);
        }
      }
    }
    if (this.rng.chance(0.2)) {
      this.regenerations.record('full', false);
    }
    this.policyChanges.success = this.policyRevision - 1;
    this.policyChanges.failure = this.rng.chance(0.1) ? 1 : 0;
    for (const direction of DIRECTIONS) {
      const packets = Math.round(
        this.ppsPerEndpoint[direction] * Math.max(1, podEndpoints) * uptime * this.rng.range(0.8, 1.2)
      );
      this.forwarded[direction].packets = packets;
      this.forwarded[direction].bytes = Math.round(packets * this.bytesPerPacket[direction]);
    }
    for (const profile of this.dropProfiles) {
      const bursts = this.rng.poisson((profile.burstChancePer5s * uptime) / 5);
      const packets = Math.round(
        bursts * profile.burstMedian * Math.exp((profile.burstSigma * profile.burstSigma) / 2)
      );
      this.addDrops(profile.direction, profile.reason, packets, profile.packetBytes);
    }
  }

  /** A policy change reached this agent: it imports it (occasionally failing) and regenerates affected endpoints. */
  applyPolicyChange(policies: number, importFails: boolean): void {
    if (importFails) {
      this.policyChanges.failure++;
      return;
    }
    this.policyChanges.success++;
    this.policies = policies;
    this.policyRevision++;
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.state !== 'ready' || endpoint.kind !== 'pod' || endpoint.enforcement === 'none') {
        continue;
      }
      // Most policy recomputations finish within the tick; some are still running when the page is scraped.
      if (this.rng.chance(0.08)) {
        this.setState(endpoint, 'regenerating');
        endpoint.pendingRegeneration = 'policy';
      } else {
        this.regenerations.record('policy', true);
      }
    }
  }

  /** Forwarded and dropped traffic for one tick. */
  advanceTraffic(podEndpoints: number, factor: DropRateFactor, injected: readonly InjectedDrop[]): void {
    const seconds = this.tickSeconds;
    for (const direction of DIRECTIONS) {
      const mean = this.ppsPerEndpoint[direction] * Math.max(1, podEndpoints) * seconds;
      const packets = Math.max(0, Math.round(mean * (1 + 0.06 * this.rng.normal())));
      const totals = this.forwarded[direction];
      totals.packets += packets;
      totals.bytes += Math.round(packets * this.bytesPerPacket[direction] * this.rng.range(0.97, 1.03));
    }
    for (const profile of this.dropProfiles) {
      const chance = 1 - Math.pow(1 - profile.burstChancePer5s, seconds / 5);
      let packets = this.rng.chance(chance)
        ? Math.max(1, Math.round(this.rng.logNormal(profile.burstMedian, profile.burstSigma)))
        : 0;
      const multiplier = factor(profile.direction, profile.reason);
      if (multiplier !== 1) {
        const meanPerTick = chance * profile.burstMedian * Math.exp((profile.burstSigma * profile.burstSigma) / 2);
        packets += this.extraDrops(meanPerTick, multiplier);
      }
      this.addDrops(profile.direction, profile.reason, packets, profile.packetBytes);
    }
    for (const extra of injected) {
      if (this.dropProfiles.some((p) => p.direction === extra.direction && p.reason === extra.reason)) {
        continue;
      }
      this.addDrops(extra.direction, extra.reason, this.extraDrops(0, extra.factor), 90);
    }
  }

  /**
   * Packets a multiplier adds on top of the background: (factor - 1) times the background mean, with a floor of one
   * packet per second so that spiking a quiet series still shows.
   */
  private extraDrops(meanPerTick: number, factor: number): number {
    const base = Math.max(meanPerTick, this.tickSeconds);
    return factor > 1 ? this.rng.poisson((factor - 1) * base) : 0;
  }

  private addDrops(direction: string, reason: string, packets: number, packetBytes: number): void {
    if (packets <= 0) {
      return;
    }
    const key = `${direction}|${reason}`;
    let series = this.drops.get(key);
    if (!series) {
      series = { direction, reason, packets: 0, bytes: 0 };
      this.drops.set(key, series);
    }
    series.packets += packets;
    series.bytes += Math.round(packets * packetBytes * this.rng.range(0.9, 1.1));
    this.dropListener?.(direction, reason, packets);
  }

  /** Health gauges, map pressure and the process collector for one tick. */
  advanceHealth(clusterNodes: number): void {
    this.health.advance(clusterNodes, this.endpoints.size);
  }

  private updateProcess(): void {
    this.health.updateProcess(this.endpoints.size);
  }

  /** A new agent process: counters and histograms start again, endpoints are restored from disk. */
  restart(nowSeconds: number, policies: number): void {
    this.restarts++;
    this.regenerations.reset();
    this.forwarded = { INGRESS: { packets: 0, bytes: 0 }, EGRESS: { packets: 0, bytes: 0 } };
    this.drops = new Map();
    this.policies = policies;
    this.policyRevision = policies + 1;
    // The new process imports every policy once at start.
    this.policyChanges = { success: policies, failure: 0 };
    this.health.restart(nowSeconds);
    this.seenStates = new Set(INITIAL_STATES);
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.state === 'disconnecting') {
        continue;
      }
      this.setState(endpoint, 'restoring');
      endpoint.pendingRegeneration = 'full';
    }
    this.updateProcess();
    this.restartListener?.();
  }

  /** Endpoint count per state the gauge vector shows (states seen since start, zeros included), sorted by state. */
  endpointStateCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const state of [...this.seenStates].sort()) {
      counts[state] = 0;
    }
    for (const endpoint of this.endpoints.values()) {
      counts[endpoint.state]++;
    }
    return counts;
  }

  enforcementCounts(): Record<string, number> {
    const modes = this.naming.enforcementAuditModes ? ENFORCEMENT_MODES : ENFORCEMENT_MODES_OLD;
    const counts: Record<string, number> = {};
    for (const mode of modes) {
      counts[mode] = 0;
    }
    for (const endpoint of this.endpoints.values()) {
      counts[endpoint.enforcement] = (counts[endpoint.enforcement] ?? 0) + 1;
    }
    return counts;
  }

  /** Drop series sorted as the page lists them (direction, then reason). */
  dropSeries(): DropSeries[] {
    return [...this.drops.values()].sort(
      (a, b) => compareStrings(a.direction, b.direction) || compareStrings(a.reason, b.reason)
    );
  }
}
