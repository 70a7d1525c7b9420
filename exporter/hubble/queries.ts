/**
 * What the query layer reads of the Hubble side beside the history: the drop flows Hubble Relay streamed, grouped
 * per node by pair, port and denying policies (relay/denied-by.ts). The pairs' counts themselves are read from the
 * history (ciliumscope_workload_dropped_packets_total), the same from either backend.
 */
import type { EndpointRef } from './context';
import type { FlowGroup } from './relay/denied-by';

export interface HubbleQueries {
  /** Null when this exporter does not follow Hubble Relay. */
  relay: {
    /** Relay's drop flows of a pair on a node, grouped by port and policies, most flows first. */
    groups(node: string, reason: string, direction: string, source: EndpointRef, destination: EndpointRef): FlowGroup[];
  } | null;
}
