/**
 * A node's Hubble metrics page (the agent's hubble-metrics-server, port 9965) as Cilium writes it: hubble_drop_total
 * with the node's context labels, hubble_flows_processed_total, hubble_policy_verdicts_total and
 * hubble_lost_events_total, families and series sorted as client_golang sorts them.
 */
import type { AgentState } from '../agent';
import { type Labels, compareLabels, familyHeader, sampleLine } from '../render/format';
import type { HubbleCounter, SimEndpoint } from './attribution';
import { hubbleReasonName } from './reasons';
import type { HubbleCluster, NodeHubble, SimContextForm } from './state';

/** The `source`/`destination` value of an endpoint in a form (chained with reserved-identity). */
function contextValue(form: Exclude<SimContextForm, 'labels'>, e: SimEndpoint): string {
  if (e.reserved) {
    return e.reserved;
  }
  return form === 'pod' ? `${e.namespace}/${e.pod}` : form === 'namespace' ? e.namespace : e.workload;
}

function dropLabels(state: NodeHubble, c: HubbleCounter): Labels {
  const own: Array<[string, string]> = [
    ['protocol', c.protocol],
    ['reason', hubbleReasonName(c.reason)],
  ];
  if (state.mode === 'unknownLabels') {
    // A context the exporter does not know: per-cluster labels of a future Hubble.
    return [...own, ['source_cluster_id', c.source.namespace || c.source.reserved], ['destination_cluster_id', c.destination.namespace || c.destination.reserved]];
  }
  if (state.form === 'labels') {
    const ns = (e: SimEndpoint) => (e.reserved ? '' : e.namespace);
    const wl = (e: SimEndpoint) => (e.reserved ? '' : e.workload);
    return [
      ...own,
      ['source_namespace', ns(c.source)],
      ['source_workload', wl(c.source)],
      ['destination_namespace', ns(c.destination)],
      ['destination_workload', wl(c.destination)],
      ['traffic_direction', c.direction.toLowerCase()],
    ];
  }
  return [...own, ['source', contextValue(state.form, c.source)], ['destination', contextValue(state.form, c.destination)]];
}

export function renderHubblePage(hubble: HubbleCluster, state: NodeHubble, agent: AgentState | null): string {
  const drops = new Map<string, { labels: Labels; value: number }>();
  let dropped = 0;
  const verdicts = new Map<string, number>();
  for (const c of hubble.pageCounters(state)) {
    const labels = dropLabels(state, c);
    const id = labels.map((l) => l.join('=')).join('\u0000');
    const entry = drops.get(id);
    if (entry) {
      entry.value += c.packets;
    } else {
      drops.set(id, { labels, value: c.packets });
    }
    dropped += c.packets;
    if (c.reason === 'Policy denied' || c.reason === 'Policy denied by denylist') {
      const key = c.direction.toLowerCase();
      verdicts.set(key, (verdicts.get(key) ?? 0) + c.packets);
    }
  }
  const forwarded = agent ? agent.forwarded.INGRESS.packets + agent.forwarded.EGRESS.packets : 0;
  let out = familyHeader('hubble_drop_total', 'Number of drops', 'counter');
  for (const s of [...drops.values()].sort((a, b) => compareLabels(a.labels, b.labels))) {
    out += sampleLine('hubble_drop_total', s.labels, s.value);
  }
  out += familyHeader('hubble_flows_processed_total', 'Total number of flows processed', 'counter');
  out += sampleLine('hubble_flows_processed_total', [['subtype', ''], ['type', 'Drop'], ['verdict', 'DROPPED']], dropped);
  out += sampleLine('hubble_flows_processed_total', [['subtype', 'to-endpoint'], ['type', 'Trace'], ['verdict', 'FORWARDED']], forwarded);
  out += familyHeader('hubble_lost_events_total', 'Number of lost events', 'counter');
  out += sampleLine('hubble_lost_events_total', [['source', 'perf_event_ring_buffer']], 0);
  out += familyHeader('hubble_metrics_http_handler_requests_total', 'A counter for requests to Hubble metrics handler.', 'counter');
  out += sampleLine('hubble_metrics_http_handler_requests_total', [['code', '200']], 1);
  out += familyHeader('hubble_policy_verdicts_total', 'Total number of Cilium network policy verdicts', 'counter');
  for (const direction of [...verdicts.keys()].sort()) {
    out += sampleLine('hubble_policy_verdicts_total', [['action', 'dropped'], ['direction', direction], ['match', 'none']], verdicts.get(direction)!);
  }
  return out;
}
