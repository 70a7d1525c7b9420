/**
 * The Hubble families of /metrics. Per-node values are exposed while the node's Hubble data is fresh and withdrawn
 * once stale, like the agents' values; `ciliumscope_target_up{component="hubble"}` says why a node went quiet.
 *
 * Like the series read from an agent's page, every per-node value carries the time of the node's Hubble data: the
 * scrape of its Hubble metrics page, or for a node fed by Hubble Relay the cycle that routed its flows (its values
 * change at no other time). The embedded history stores the workload counters at that same time (index.ts), so a
 * Prometheus scraping /metrics holds the samples the history holds. The Relay's own families are the exporter's
 * state, not timestamped.
 */
import type { FamilySpec } from '../http/exposition';
import { SERIES } from '../model/series';
import type { NodeDrops, WorkloadDropRow, WorkloadDrops } from './model';
import type { RelayFollowerStatus } from './relay/follower';

export interface HubbleMetricsSource {
  drops: WorkloadDrops;
  /** Nodes whose Hubble data is fresh. */
  freshNodes(): NodeDrops[];
  relay(): RelayFollowerStatus | null;
  refusedRelayFlows(): number;
}

export const WORKLOAD_DROPS_LABELS = [
  'node',
  'source_namespace',
  'source_workload',
  'destination_namespace',
  'destination_workload',
  'reason',
  'direction',
] as const;

export function hubbleFamilies(h: HubbleMetricsSource): FamilySpec[] {
  const perPage = (
    name: string,
    help: string,
    type: 'gauge' | 'counter',
    labelNames: string[],
    each: (n: NodeDrops, emit: (labels: Record<string, string>, value: number) => void) => void
  ): FamilySpec => ({
    name,
    help,
    type,
    labelNames: ['node', ...labelNames],
    fill: (emit) => {
      for (const n of h.freshNodes()) {
        if (n.page) {
          each(n, (labels, value) => emit({ node: n.node, ...labels }, value, n.settledAt));
        }
      }
    },
  });
  const families: FamilySpec[] = [
    {
      name: SERIES.workloadDroppedPackets,
      help: 'Packets dropped per workload pair as Hubble attributes them, per node, reason (the agent\'s string) and direction (UNKNOWN when Hubble metrics lack traffic_direction): the top --hubble-top-k pairs per node and reason, plus one source/destination "(other)" row per direction with the rest, so the rows add up to the node\'s Hubble drops. Counted since the exporter started.',
      type: 'counter',
      labelNames: [...WORKLOAD_DROPS_LABELS],
      unique: true,
      fill: (emit) => {
        for (const n of h.freshNodes()) {
          for (const row of h.drops.rows(n)) {
            emit(workloadLabels(row), row.packets, n.settledAt);
          }
        }
      },
    },
    {
      name: 'ciliumscope_workload_drop_pairs',
      help: 'Workload pairs the model holds for the node (kept and ranked; at most 2 × --hubble-top-k per reason).',
      type: 'gauge',
      labelNames: ['node'],
      fill: (emit) => h.freshNodes().forEach((n) => emit({ node: n.node }, n.settled.heldPairs, n.settledAt)),
    },
    {
      name: 'ciliumscope_workload_drop_pair_evictions_total',
      help: 'Workload pairs that gave their place in the model to a new pair (a high rate means more distinct pairs than the model holds).',
      type: 'counter',
      labelNames: ['node'],
      fill: (emit) => h.freshNodes().forEach((n) => emit({ node: n.node }, n.settled.evictions, n.settledAt)),
    },
    perPage('ciliumscope_hubble_context', 'Form of the context labels on the node\'s hubble_drop_total (pod, namespace, workload-name, identity, labels, reserved-identity, ip, none); always 1.', 'gauge', ['form'], (n, emit) =>
      emit({ form: n.page!.form }, 1)
    ),
    perPage('ciliumscope_hubble_unknown_labels', 'Labels on the node\'s hubble_drop_total that are not Hubble context labels the exporter reads; always 1.', 'gauge', ['label'], (n, emit) =>
      n.page!.unknownLabels.forEach((label) => emit({ label }, 1))
    ),
    perPage('ciliumscope_hubble_untracked_series', 'hubble_drop_total series on the node\'s last page beyond --hubble-max-series, not counted.', 'gauge', [], (n, emit) =>
      emit({}, n.page!.untrackedSeries)
    ),
    perPage('ciliumscope_hubble_flows_processed_total', 'Flows Hubble processed on the node by verdict (hubble_flows_processed_total summed over type and context); the agent\'s cumulative counter.', 'counter', ['verdict'], (n, emit) => {
      for (const [verdict, value] of Object.entries(n.page!.flowsProcessed)) {
        emit({ verdict }, value);
      }
    }),
    perPage('ciliumscope_hubble_policy_verdicts_total', 'Policy verdicts Hubble saw on the node by direction, match type and action (hubble_policy_verdicts_total summed over context); cumulative.', 'counter', ['direction', 'match', 'action'], (n, emit) => {
      for (const v of n.page!.policyVerdicts) {
        emit({ direction: v.direction, match: v.match, action: v.action }, v.value);
      }
    }),
    perPage('ciliumscope_hubble_lost_events_total', 'Events Hubble lost on the node by source (perf_event_ring_buffer, observer_events_queue, hubble_ring_buffer): drops it could not attribute; cumulative.', 'counter', ['source'], (n, emit) => {
      for (const [source, value] of Object.entries(n.page!.lostEvents)) {
        emit({ source }, value);
      }
    }),
  ];
  families.push(...relayFamilies(h));
  return families;
}

/** The labels of a row of ciliumscope_workload_dropped_packets_total. */
export function workloadLabels(row: WorkloadDropRow): Record<(typeof WORKLOAD_DROPS_LABELS)[number], string> {
  return {
    node: row.node,
    source_namespace: row.source.namespace,
    source_workload: row.source.workload,
    destination_namespace: row.destination.namespace,
    destination_workload: row.destination.workload,
    reason: row.reason,
    direction: row.direction,
  };
}

function relayFamilies(h: HubbleMetricsSource): FamilySpec[] {
  const relay = (name: string, help: string, type: 'gauge' | 'counter', labelNames: string[], fill: (r: RelayFollowerStatus, emit: (labels: Record<string, string>, value: number) => void) => void): FamilySpec => ({
    name,
    help,
    type,
    labelNames,
    fill: (emit) => {
      const r = h.relay();
      if (r) {
        fill(r, emit);
      }
    },
  });
  return [
    relay('ciliumscope_hubble_relay_up', '1 while the GetFlows stream from Hubble Relay is open and delivering, 0 otherwise.', 'gauge', [], (r, emit) => emit({}, r.connected ? 1 : 0)),
    relay('ciliumscope_hubble_relay_flows_total', 'Drop flows received from Hubble Relay.', 'counter', [], (r, emit) => emit({}, r.flows)),
    relay('ciliumscope_hubble_relay_refused_flows_total', 'Drop flows from Hubble Relay not counted because they named more nodes than the exporter tracks.', 'counter', [], (_r, emit) => emit({}, h.refusedRelayFlows())),
    relay('ciliumscope_hubble_relay_lost_events_total', 'Events Hubble lost before they reached the exporter (GetFlowsResponse lost_events), by source.', 'counter', ['source'], (r, emit) => {
      for (const [source, n] of Object.entries(r.lostEvents)) {
        emit({ source }, n);
      }
    }),
    relay('ciliumscope_hubble_relay_reconnects_total', 'GetFlows calls opened again after a fault, by kind of fault (gRPC status, ended, silent).', 'counter', ['kind'], (r, emit) => {
      for (const [kind, n] of Object.entries(r.errors)) {
        emit({ kind }, n);
      }
    }),
    relay('ciliumscope_hubble_relay_node_unavailable', 'Nodes Hubble Relay reports it cannot reach (node_status NODE_UNAVAILABLE or NODE_ERROR); always 1.', 'gauge', ['node'], (r, emit) => {
      for (const [node, s] of r.nodes) {
        if (s.state === 'NODE_UNAVAILABLE' || s.state === 'NODE_ERROR') {
          emit({ node }, 1);
        }
      }
    }),
  ];
}
