/**
 * Background drop behaviour: which reasons a node drops packets for and how bursty they are. Reason strings are the
 * agent's own (pkg/monitor/api/drop.go), as cilium_drop_count_total{reason} shows them.
 */

export type Direction = 'INGRESS' | 'EGRESS';
export const DIRECTIONS: readonly Direction[] = ['INGRESS', 'EGRESS'];

export interface DropProfile {
  reason: string;
  direction: Direction;
  /** Chance that a burst starts in one tick of 5 simulated seconds (scaled for other tick lengths). */
  burstChancePer5s: number;
  /** Median packets of a burst (log-normal). */
  burstMedian: number;
  burstSigma: number;
  /** Typical size of a dropped packet in bytes. */
  packetBytes: number;
  /** Share of nodes on which this reason occurs at all. */
  nodeShare: number;
  /** First Cilium minor version that reports this reason. */
  sinceMinor: number;
}

export const POLICY_DENIED = 'Policy denied';

export const DROP_PROFILES: readonly DropProfile[] = [
  {
    reason: POLICY_DENIED,
    direction: 'INGRESS',
    burstChancePer5s: 0.12,
    burstMedian: 6,
    burstSigma: 1.1,
    packetBytes: 74,
    nodeShare: 0.9,
    sinceMinor: 9,
  },
  {
    reason: POLICY_DENIED,
    direction: 'EGRESS',
    burstChancePer5s: 0.08,
    burstMedian: 4,
    burstSigma: 1.0,
    packetBytes: 74,
    nodeShare: 0.8,
    sinceMinor: 9,
  },
  {
    reason: 'Stale or unroutable IP',
    direction: 'INGRESS',
    burstChancePer5s: 0.02,
    burstMedian: 3,
    burstSigma: 0.8,
    packetBytes: 98,
    nodeShare: 0.6,
    sinceMinor: 9,
  },
  {
    reason: 'Stale or unroutable IP',
    direction: 'EGRESS',
    burstChancePer5s: 0.01,
    burstMedian: 2,
    burstSigma: 0.7,
    packetBytes: 98,
    nodeShare: 0.3,
    sinceMinor: 9,
  },
  {
    reason: 'Unsupported L3 protocol',
    direction: 'EGRESS',
    burstChancePer5s: 0.05,
    burstMedian: 2,
    burstSigma: 0.5,
    packetBytes: 70,
    nodeShare: 0.7,
    sinceMinor: 9,
  },
  {
    reason: 'Unsupported L2 protocol',
    direction: 'EGRESS',
    burstChancePer5s: 0.01,
    burstMedian: 1,
    burstSigma: 0.4,
    packetBytes: 114,
    nodeShare: 0.3,
    sinceMinor: 9,
  },
  {
    reason: 'CT: Map insertion failed',
    direction: 'INGRESS',
    burstChancePer5s: 0.004,
    burstMedian: 20,
    burstSigma: 1.2,
    packetBytes: 66,
    nodeShare: 0.2,
    sinceMinor: 9,
  },
  {
    reason: 'CT: Map insertion failed',
    direction: 'EGRESS',
    burstChancePer5s: 0.003,
    burstMedian: 20,
    burstSigma: 1.2,
    packetBytes: 66,
    nodeShare: 0.2,
    sinceMinor: 9,
  },
  {
    reason: 'Unknown L4 protocol',
    direction: 'INGRESS',
    burstChancePer5s: 0.008,
    burstMedian: 2,
    burstSigma: 0.6,
    packetBytes: 84,
    nodeShare: 0.25,
    sinceMinor: 9,
  },
  {
    reason: 'Invalid packet',
    direction: 'INGRESS',
    burstChancePer5s: 0.006,
    burstMedian: 1,
    burstSigma: 0.5,
    packetBytes: 60,
    nodeShare: 0.3,
    sinceMinor: 9,
  },
  {
    reason: 'Service backend not found',
    direction: 'EGRESS',
    burstChancePer5s: 0.01,
    burstMedian: 5,
    burstSigma: 0.9,
    packetBytes: 74,
    nodeShare: 0.35,
    sinceMinor: 9,
  },
  {
    reason: 'Policy denied by denylist',
    direction: 'INGRESS',
    burstChancePer5s: 0.01,
    burstMedian: 3,
    burstSigma: 0.9,
    packetBytes: 74,
    nodeShare: 0.15,
    sinceMinor: 9,
  },
  {
    reason: 'FIB lookup failed',
    direction: 'EGRESS',
    burstChancePer5s: 0.004,
    burstMedian: 2,
    burstSigma: 0.6,
    packetBytes: 98,
    nodeShare: 0.1,
    sinceMinor: 9,
  },
  {
    reason: 'Authentication required',
    direction: 'INGRESS',
    burstChancePer5s: 0.003,
    burstMedian: 2,
    burstSigma: 0.6,
    packetBytes: 74,
    nodeShare: 0.05,
    sinceMinor: 14,
  },
];

/** Every reason string the simulator can emit, scenarios and spikes included (a spike may name any of them). */
export const KNOWN_DROP_REASONS: readonly string[] = Array.from(new Set(DROP_PROFILES.map((p) => p.reason)));
