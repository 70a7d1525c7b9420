/**
 * A node's Hubble metrics page (the agent's hubble-metrics-server, port 9965) as Cilium writes it: hubble_drop_total
 * with the node's context labels, hubble_flows_processed_total, hubble_policy_verdicts_total and
 * hubble_lost_events_total, families and series sorted as client_golang sorts them.
 */
import type { AgentState } from '../agent';
import { type Labels, familyHeader, sampleLine } from '../render/format';
import type { HubbleCounter, SimEndpoint } from './attribution';
import { hubbleReasonName } from './reasons';
import type { HubbleCluster, NodeHubble, SimContextForm, SprayedSeries } from './state';

/** The `source`/`destination` value of an endpoint in a form (chained with reserved-identity). */
function contextValue(form: Exclude<SimContextForm, 'labels'>, e: SimEndpoint): string {
  if (e.reserved) {
    return e.reserved;
  }
  return form === 'pod' ? `${e.namespace}/${e.pod}` : form === 'namespace' ? e.namespace : e.workload;
}

/** The drop series' labels, already in label-name order (as client_golang writes them). */
function dropLabels(state: NodeHubble, c: HubbleCounter): Labels {
  const protocol: [string, string] = ['protocol', c.protocol];
  const reason: [string, string] = ['reason', hubbleReasonName(c.reason)];
  if (state.mode === 'unknownLabels') {
    // A context the exporter does not know: per-cluster labels of a future Hubble.
    return [
      ['destination_cluster_id', c.destination.namespace || c.destination.reserved],
      protocol,
      reason,
      ['source_cluster_id', c.source.namespace || c.source.reserved],
    ];
  }
  if (state.form === 'labels') {
    const ns = (e: SimEndpoint) => (e.reserved ? '' : e.namespace);
    const wl = (e: SimEndpoint) => (e.reserved ? '' : e.workload);
    return [
      ['destination_namespace', ns(c.destination)],
      ['destination_workload', wl(c.destination)],
      protocol,
      reason,
      ['source_namespace', ns(c.source)],
      ['source_workload', wl(c.source)],
      ['traffic_direction', c.direction.toLowerCase()],
    ];
  }
  return [
    ['destination', contextValue(state.form, c.destination)],
    protocol,
    reason,
    ['source', contextValue(state.form, c.source)],
  ];
}

function sprayLine(state: NodeHubble, x: SprayedSeries): string {
  if (state.form === 'labels') {
    return `hubble_drop_total{destination_namespace="shop",destination_workload="frontend",protocol="TCP",reason="POLICY_DENIED",source_namespace="${x.namespace}",source_workload="${x.workload}",traffic_direction="ingress"} 1\n`;
  }
  const pod = state.form === 'pod';
  const source = pod ? `${x.namespace}/${x.pod}` : state.form === 'namespace' ? x.namespace : x.workload;
  const destination = pod ? 'shop/frontend-7d9f8b6c5d-x2k4q' : state.form === 'namespace' ? 'shop' : 'frontend';
  return `hubble_drop_total{destination="${destination}",protocol="TCP",reason="POLICY_DENIED",source="${source}"} 1\n`;
}

export function renderHubblePage(hubble: HubbleCluster, state: NodeHubble, agent: AgentState | null): string {
  // Keyed by the label values in label-name order: the key's order is Go's series order.
  const drops = new Map<string, { labels: Labels; value: number }>();
  let dropped = 0;
  const verdicts = new Map<string, number>();
  for (const c of hubble.pageCounters(state)) {
    const labels = dropLabels(state, c);
    const id = labels.map((l) => l[1]).join('\u0000');
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
  const lines: string[] = [];
  for (const id of [...drops.keys()].sort()) {
    const series = drops.get(id)!;
    lines.push(sampleLine('hubble_drop_total', series.labels, series.value));
  }
  out += lines.join('');
  // Sprayed series (each a policy drop from a never-seen workload to shop/frontend) after the sorted ones.
  for (const x of state.sprayed) {
    out += sprayLine(state, x);
  }
  out += familyHeader('hubble_flows_processed_total', 'Total number of flows processed', 'counter');
  out += sampleLine(
    'hubble_flows_processed_total',
    [
      ['subtype', ''],
      ['type', 'Drop'],
      ['verdict', 'DROPPED'],
    ],
    dropped
  );
  out += sampleLine(
    'hubble_flows_processed_total',
    [
      ['subtype', 'to-endpoint'],
      ['type', 'Trace'],
      ['verdict', 'FORWARDED'],
    ],
    forwarded
  );
  out += familyHeader('hubble_lost_events_total', 'Number of lost events', 'counter');
  out += sampleLine('hubble_lost_events_total', [['source', 'perf_event_ring_buffer']], 0);
  out += familyHeader(
    'hubble_metrics_http_handler_requests_total',
    'A counter for requests to Hubble metrics handler.',
    'counter'
  );
  out += sampleLine('hubble_metrics_http_handler_requests_total', [['code', '200']], 1);
  out += familyHeader('hubble_policy_verdicts_total', 'Total number of Cilium network policy verdicts', 'counter');
  for (const direction of [...verdicts.keys()].sort()) {
    out += sampleLine(
      'hubble_policy_verdicts_total',
      [
        ['action', 'dropped'],
        ['direction', direction],
        ['match', 'none'],
      ],
      verdicts.get(direction)!
    );
  }
  return out;
}
