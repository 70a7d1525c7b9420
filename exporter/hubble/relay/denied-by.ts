/**
 * What Hubble Relay's drop flows add to the counts: per node, the flows grouped by (reason, direction, source
 * workload, destination workload, protocol/port, denying policies), in a Space-Saving summary per node so a spray
 * of names cannot grow it. The table of top pairs reads the groups of a pair to say which policies denied it and on
 * which ports.
 */
import type { EndpointRef } from '../context';
import { pairKey } from '../pairs';
import { SpaceSaving } from '../spacesaving';
import type { DropFlow, PolicyRef } from './flows';

/** Drop flows of a node alike in everything but their time. */
export interface FlowGroup extends Omit<DropFlow, 'node'> {
  /** Flows counted in this group since it was last (re)admitted to the summary. */
  flows: number;
}

function policyText(p: PolicyRef): string {
  return `${p.kind}\u0000${p.namespace}\u0000${p.name}`;
}

export class DeniedBy {
  private readonly byNode = new Map<string, SpaceSaving<FlowGroup>>();
  /** Flows refused because they named a node beyond maxNodes. */
  refused = 0;

  constructor(
    private readonly capacityPerNode: number,
    private readonly maxNodes: number
  ) {}

  add(flow: DropFlow): void {
    let summary = this.byNode.get(flow.node);
    if (!summary) {
      if (this.byNode.size >= this.maxNodes) {
        this.refused++;
        return;
      }
      summary = new SpaceSaving<FlowGroup>(this.capacityPerNode);
      this.byNode.set(flow.node, summary);
    }
    const key = `${flow.reason}\u0001${pairKey(flow.direction, flow.source, flow.destination)}\u0001${flow.protocol}/${flow.port ?? ''}\u0001${flow.policies.map(policyText).join('\u0002')}`;
    summary.add(key, 1, () => ({
      reason: flow.reason,
      direction: flow.direction,
      source: flow.source,
      destination: flow.destination,
      protocol: flow.protocol,
      port: flow.port,
      policies: flow.policies,
      flows: 0,
    })).value.flows++;
  }

  /**
   * The groups of one pair on a node, most flows first. A pair whose direction is UNKNOWN (a Hubble page without
   * traffic_direction) matches both directions.
   */
  groups(node: string, reason: string, direction: string, source: EndpointRef, destination: EndpointRef): FlowGroup[] {
    const summary = this.byNode.get(node);
    if (!summary) {
      return [];
    }
    const out: FlowGroup[] = [];
    for (const entry of summary.entries()) {
      const g = entry.value;
      if (
        g.reason === reason &&
        (direction === 'UNKNOWN' || g.direction === direction) &&
        sameEndpoint(g.source, source) &&
        sameEndpoint(g.destination, destination)
      ) {
        out.push(g);
      }
    }
    return out.sort((a, b) => b.flows - a.flows);
  }

  nodes(): number {
    return this.byNode.size;
  }

  /** Forgets nodes Relay no longer reports (gone from the cluster). */
  forget(node: string): void {
    this.byNode.delete(node);
  }
}

/**
 * Whether a relay group's endpoint is the pair's. The pair's endpoint may say less than the flow's: an empty
 * workload (namespace context) or namespace (workload-name context) matches any; both empty (not a pod in pod
 * context) matches any endpoint outside a namespace (world, host, remote node).
 */
function sameEndpoint(relay: EndpointRef, pair: EndpointRef): boolean {
  if (pair.namespace === '' && pair.workload === '') {
    return relay.namespace === '';
  }
  return (
    (pair.namespace === '' || pair.namespace === relay.namespace) &&
    (pair.workload === '' || pair.workload === relay.workload)
  );
}
