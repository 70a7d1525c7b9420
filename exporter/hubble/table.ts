/**
 * The top workload pairs as a table: who is being dropped, by which reason, and (with Hubble Relay) which policies
 * denied them on which ports. Read by the API; the model and Relay's groups are read as they stand.
 */
import type { EndpointRef } from './context';
import type { NodeDrops, WorkloadDrops } from './model';
import type { DeniedBy, FlowGroup } from './relay/denied-by';

export interface PairFilter {
  /** Each filter is a set of accepted values, or null for all. */
  node: ReadonlySet<string> | null;
  /** Matches the source's or the destination's namespace. */
  namespace: ReadonlySet<string> | null;
  /** Matches the source's or the destination's workload. */
  workload: ReadonlySet<string> | null;
  reason: ReadonlySet<string> | null;
  direction: ReadonlySet<string> | null;
  /** Include the "(other)" rows. */
  includeOther: boolean;
  limit: number;
}

export interface PairRow {
  node: string;
  reason: string;
  direction: string;
  source: EndpointRef;
  destination: EndpointRef;
  other: boolean;
  /** Packets of the row's counter since the exporter started. */
  packets: number;
  /** Packets added at the node's last settle, and the seconds that settle covered. */
  lastIncrease: number;
  intervalSeconds: number | null;
  /** The row's share of the node's packets counted by the model (all reasons). */
  shareOfNode: number;
  /** Relay's flows of the pair grouped by port and denying policies, most first (empty without Relay). */
  deniedBy: FlowGroup[];
}

function accepts(set: ReadonlySet<string> | null, ...values: string[]): boolean {
  return set === null || values.some((v) => set.has(v));
}

export function topPairs(drops: WorkloadDrops, deniedBy: DeniedBy | null, nodes: readonly NodeDrops[], filter: PairFilter): PairRow[] {
  const rows: PairRow[] = [];
  for (const n of nodes) {
    if (!accepts(filter.node, n.node)) {
      continue;
    }
    let nodeTotal = 0;
    const candidates: PairRow[] = [];
    for (const row of drops.rows(n)) {
      nodeTotal += row.packets;
      if (
        (row.other && !filter.includeOther) ||
        !accepts(filter.reason, row.reason) ||
        !accepts(filter.direction, row.direction) ||
        (!row.other && !accepts(filter.namespace, row.source.namespace, row.destination.namespace)) ||
        (!row.other && !accepts(filter.workload, row.source.workload, row.destination.workload))
      ) {
        continue;
      }
      candidates.push({
        node: row.node,
        reason: row.reason,
        direction: row.direction,
        source: row.source,
        destination: row.destination,
        other: row.other,
        packets: row.packets,
        lastIncrease: row.lastIncrease,
        intervalSeconds: n.intervalSeconds,
        shareOfNode: 0,
        deniedBy: row.other || !deniedBy ? [] : deniedBy.groups(row.node, row.reason, row.direction, row.source, row.destination),
      });
    }
    for (const c of candidates) {
      c.shareOfNode = nodeTotal > 0 ? c.packets / nodeTotal : 0;
    }
    rows.push(...candidates);
  }
  return rows.sort((a, b) => b.packets - a.packets || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0)).slice(0, filter.limit);
}
