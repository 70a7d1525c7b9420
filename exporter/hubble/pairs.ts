/**
 * One node's drops by workload pair, bounded: per drop reason, a Space-Saving summary of the pairs (direction,
 * source namespace/workload, destination namespace/workload) ranked by their drops with exponential decay, of which
 * the top K are "kept" and exported, and an "other" row per direction for everything else, so that the kept rows
 * and the other rows add up to the node's drops.
 *
 * Only a pair the summary can vouch for is kept: one whose count minus its error (the drops it certainly had) exceeds
 * the smallest count held, which bounds the count of any pair the summary forgot. While fewer than 2K pairs drop,
 * nothing is ever forgotten and that is every pair with drops. Under a spray of new names, each name enters at the
 * smallest count with that much error, so it is never kept: the exported series (on /metrics and in the embedded
 * history, which hold the same) stay the heavy pairs instead of turning over at every settle.
 *
 * Counters, as Prometheus reads them:
 * - a kept pair's counter counts the packets routed to it; it only ever goes up;
 * - a pair that drops out of the top K keeps its counter in the summary but is no longer exported (its series ends);
 *   its later drops count in the other row; if it climbs back, its series resumes at the value it had, so no packet
 *   is counted twice and none is lost;
 * - a pair evicted from the summary loses its counter; if it ever comes back it starts again from 0, which
 *   Prometheus reads as a counter reset (only when the new value is at least the old one does `increase()` miss
 *   part of it, by at most the smaller of the two);
 * - the other row per direction only ever goes up.
 *
 * Increments arrive with `add` (from a page's deltas or a relay flow) and wait in their entry (`pending`) until
 * `settle` decides the kept set and routes them: to the pair's counter when kept, to the other row when not. An
 * entry evicted before settling hands its pending packets to the other row, so nothing is lost.
 */
import type { EndpointRef } from './context';
import { SpaceSaving, type SummaryEntry } from './spacesaving';

/** Workload labels of the other row: a value no Kubernetes name can take. */
export const OTHER = '(other)';
/** Reason label of the drops beyond `MAX_REASONS_PER_NODE` distinct reasons on one node. */
export const OTHER_REASONS = '(other reasons)';
/** Distinct reasons a node tracks; Cilium has about 80, a node sees a handful. */
export const MAX_REASONS_PER_NODE = 32;

export interface PairState {
  readonly direction: string;
  readonly sourceNamespace: string;
  readonly sourceWorkload: string;
  readonly destinationNamespace: string;
  readonly destinationWorkload: string;
  /** Packets routed to this pair's counter (the exported value). */
  packets: number;
  /** Packets added since the last settle, not yet routed. */
  pending: number;
  /** Packets routed to the counter at the last settle. */
  lastIncrease: number;
  kept: boolean;
}

export interface OtherRow {
  direction: string;
  packets: number;
  lastIncrease: number;
}

export interface ReasonDrops {
  reason: string;
  summary: SpaceSaving<PairState>;
  /** Other rows by direction. */
  other: Map<string, OtherRow>;
  /** Packets not yet routed that belong to evicted entries, by direction. */
  orphaned: Map<string, number>;
  /**
   * The kept pairs as of the last settle, by key: rows come out in the same order at every cycle, which the
   * history's writer relies on to find each series without a lookup (the summary's heap order moves at every add).
   */
  kept: Array<SummaryEntry<PairState>>;
}

export function pairKey(direction: string, source: EndpointRef, destination: EndpointRef): string {
  return `${direction}\u0000${source.namespace}\u0000${source.workload}\u0000${destination.namespace}\u0000${destination.workload}`;
}

export class NodePairs {
  readonly reasons = new Map<string, ReasonDrops>();
  /** Every packet added, routed or pending (the node's total as this model saw it). */
  totalPackets = 0;
  evictions = 0;
  /** Counter values of the pairs evicted from the summary (their series ended for good). */
  evictedPackets = 0;

  constructor(
    private readonly topK: number,
    private readonly capacity: number
  ) {}

  add(reason: string, direction: string, source: EndpointRef, destination: EndpointRef, packets: number): void {
    const drops = this.reasonDrops(reason);
    this.totalPackets += packets;
    drops.summary.add(
      pairKey(direction, source, destination),
      packets,
      () => ({
        direction,
        sourceNamespace: source.namespace,
        sourceWorkload: source.workload,
        destinationNamespace: destination.namespace,
        destinationWorkload: destination.workload,
        packets: 0,
        pending: 0,
        lastIncrease: 0,
        kept: false,
      }),
      (evicted) => this.evict(drops, evicted)
    ).value.pending += packets;
  }

  /** Decides the kept pairs of every reason and routes the pending packets; then decays the ranking. */
  settle(decay: number): void {
    for (const drops of this.reasons.values()) {
      for (const row of drops.other.values()) {
        row.lastIncrease = 0;
      }
      for (const [direction, packets] of drops.orphaned) {
        this.addToOther(drops, direction, packets);
      }
      drops.orphaned.clear();
      const top = drops.summary.top(this.topK, (entry) => entry.count - entry.error > drops.summary.errorBound);
      const kept = new Set(top);
      drops.kept = top.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const entry of drops.summary.entries()) {
        const pair = entry.value;
        pair.kept = kept.has(entry);
        pair.lastIncrease = pair.kept ? pair.pending : 0;
        if (pair.pending > 0) {
          if (pair.kept) {
            pair.packets += pair.pending;
          } else {
            this.addToOther(drops, pair.direction, pair.pending);
          }
          pair.pending = 0;
        }
      }
      drops.summary.decay(decay);
    }
  }

  /** Kept pairs and other rows of every reason. */
  *rows(): Generator<{ reason: string; pair: PairState | null; other: OtherRow | null }> {
    for (const drops of this.reasons.values()) {
      for (const entry of drops.kept) {
        // A kept pair the summary evicted since the settle is gone (its counter with it).
        if (entry.value.kept && drops.summary.get(entry.key) === entry) {
          yield { reason: drops.reason, pair: entry.value, other: null };
        }
      }
      for (const row of drops.other.values()) {
        yield { reason: drops.reason, pair: null, other: row };
      }
    }
  }

  /**
   * Packets routed so far, by where they are: counters of pairs held (exported or not), counters of evicted pairs,
   * other rows. Their sum plus the pending packets is `totalPackets`.
   */
  routedPackets(): { held: number; evicted: number; other: number; pending: number } {
    let held = 0;
    let other = 0;
    let pending = 0;
    for (const drops of this.reasons.values()) {
      for (const entry of drops.summary.entries()) {
        held += entry.value.packets;
        pending += entry.value.pending;
      }
      for (const row of drops.other.values()) {
        other += row.packets;
      }
      for (const n of drops.orphaned.values()) {
        pending += n;
      }
    }
    return { held, evicted: this.evictedPackets, other, pending };
  }

  /** Pairs held across all reasons (kept or not). */
  get heldPairs(): number {
    let n = 0;
    for (const drops of this.reasons.values()) {
      n += drops.summary.size;
    }
    return n;
  }

  private reasonDrops(reason: string): ReasonDrops {
    let drops = this.reasons.get(reason);
    if (!drops) {
      const label = this.reasons.size >= MAX_REASONS_PER_NODE - 1 && reason !== OTHER_REASONS ? OTHER_REASONS : reason;
      drops = this.reasons.get(label);
      if (!drops) {
        drops = {
          reason: label,
          summary: new SpaceSaving<PairState>(this.capacity),
          other: new Map(),
          orphaned: new Map(),
          kept: [],
        };
        this.reasons.set(label, drops);
      }
    }
    return drops;
  }

  private evict(drops: ReasonDrops, evicted: SummaryEntry<PairState>): void {
    this.evictions++;
    const pair = evicted.value;
    this.evictedPackets += pair.packets;
    if (pair.pending > 0) {
      drops.orphaned.set(pair.direction, (drops.orphaned.get(pair.direction) ?? 0) + pair.pending);
    }
  }

  private addToOther(drops: ReasonDrops, direction: string, packets: number): void {
    let row = drops.other.get(direction);
    if (!row) {
      row = { direction, packets: 0, lastIncrease: 0 };
      drops.other.set(direction, row);
    }
    row.packets += packets;
    row.lastIncrease += packets;
  }
}
