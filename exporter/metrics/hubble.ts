/**
 * The Hubble families of /metrics: drops by workload pair, what each node's Hubble metrics page carried, and (with
 * --hubble-relay) the state of the Relay stream. Per-node values are exposed while the node's Hubble data is fresh
 * and withdrawn once stale, like the agents' values; `ciliumscope_target_up{component="hubble"}` says why a node
 * went quiet.
 *
 * Like the series read from an agent's page, every per-node value carries the time of the node's Hubble data: the
 * scrape of its Hubble metrics page, or for a node fed by Hubble Relay the cycle that routed its flows (its values
 * change at no other time). The embedded history stores the workload counters at that same time (hubble/index.ts),
 * so a Prometheus scraping /metrics holds the samples the history holds. The Relay's own families are the
 * exporter's state, not timestamped.
 */
import type { HubbleMetricsSource, RelayMetricsSource } from '../hubble';
import { type PageFacts, WORKLOAD_DROPS_LABELS, workloadLabels } from '../hubble/model';
import type { RelayFollowerStatus } from '../hubble/relay/follower';
import { SERIES } from '../model/series';
import { type Emit, familiesOf } from './family';

const family = familiesOf<HubbleMetricsSource>();
const relayFamily = familiesOf<RelayMetricsSource>();

/** Values read from the last Hubble metrics page of each fresh node fed by one, at that page's time. */
const perPage =
  <L extends string>(each: (page: PageFacts, emit: (labels: Record<L, string>, value: number) => void) => void) =>
  (h: HubbleMetricsSource, emit: Emit<'node' | L>): void => {
    for (const n of h.freshNodes()) {
      if (n.page) {
        each(n.page, (labels, value) => emit({ node: n.node, ...labels }, value, n.settledAt));
      }
    }
  };

/** Counts by one label, from a record of the node's last page. */
const pageCounts = <L extends string>(label: L, pick: (page: PageFacts) => Record<string, number>) =>
  perPage<L>((page, emit) => {
    for (const [key, value] of Object.entries(pick(page))) {
      emit({ [label]: key } as Record<L, string>, value);
    }
  });

/** Relay's counts by a key of the follower's status. */
const relayCounts =
  <L extends string>(label: L, pick: (r: RelayFollowerStatus) => Record<string, number>) =>
  (r: RelayMetricsSource, emit: Emit<L>): void => {
    for (const [key, n] of Object.entries(pick(r.status()))) {
      emit({ [label]: key } as Record<L, string>, n);
    }
  };

export const HUBBLE_FAMILIES = [
  family({
    name: SERIES.workloadDroppedPackets,
    type: 'counter',
    help: 'Packets dropped per workload pair as Hubble attributes them, per node, reason (the agent\'s string) and direction (UNKNOWN when Hubble metrics lack traffic_direction): the top --hubble-top-k pairs per node and reason (of those the model can vouch for), plus one "(other)" row per direction (all four workload labels "(other)") with the rest, so the rows add up to the node\'s Hubble drops. Counted since the exporter started.',
    labelNames: WORKLOAD_DROPS_LABELS,
    unique: true,
    fill: (h, emit) => {
      for (const n of h.freshNodes()) {
        for (const row of h.rows(n)) {
          emit(workloadLabels(row), row.packets, n.settledAt);
        }
      }
    },
  }),
  family({
    name: 'ciliumscope_workload_drop_pairs',
    type: 'gauge',
    help: 'Workload pairs the model holds for the node (kept and ranked; at most 2 × --hubble-top-k per reason).',
    labelNames: ['node'],
    fill: (h, emit) => h.freshNodes().forEach((n) => emit({ node: n.node }, n.settled.heldPairs, n.settledAt)),
  }),
  family({
    name: 'ciliumscope_workload_drop_pair_evictions_total',
    type: 'counter',
    help: 'Workload pairs that gave their place in the model to a new pair (a high rate means more distinct pairs than the model holds).',
    labelNames: ['node'],
    fill: (h, emit) => h.freshNodes().forEach((n) => emit({ node: n.node }, n.settled.evictions, n.settledAt)),
  }),
  family({
    name: 'ciliumscope_hubble_context',
    type: 'gauge',
    help: "Form of the context labels on the node's hubble_drop_total (pod, namespace, workload-name, identity, labels, reserved-identity, ip, none); always 1.",
    labelNames: ['node', 'form'],
    fill: perPage((page, emit) => emit({ form: page.form }, 1)),
  }),
  family({
    name: 'ciliumscope_hubble_unknown_labels',
    type: 'gauge',
    help: "Labels on the node's hubble_drop_total that are not Hubble context labels the exporter reads; always 1.",
    labelNames: ['node', 'label'],
    fill: perPage((page, emit) => page.unknownLabels.forEach((label) => emit({ label }, 1))),
  }),
  family({
    name: 'ciliumscope_hubble_untracked_series',
    type: 'gauge',
    help: "hubble_drop_total series on the node's last page beyond --hubble-max-series, not counted.",
    labelNames: ['node'],
    fill: perPage<never>((page, emit) => emit({}, page.untrackedSeries)),
  }),
  family({
    name: 'ciliumscope_hubble_flows_processed_total',
    type: 'counter',
    help: "Flows Hubble processed on the node by verdict (hubble_flows_processed_total summed over type and context); the agent's cumulative counter.",
    labelNames: ['node', 'verdict'],
    fill: pageCounts('verdict', (page) => page.flowsProcessed),
  }),
  family({
    name: 'ciliumscope_hubble_policy_verdicts_total',
    type: 'counter',
    help: 'Policy verdicts Hubble saw on the node by direction, match type and action (hubble_policy_verdicts_total summed over context); cumulative.',
    labelNames: ['node', 'direction', 'match', 'action'],
    fill: perPage((page, emit) => {
      for (const v of page.policyVerdicts) {
        emit({ direction: v.direction, match: v.match, action: v.action }, v.value);
      }
    }),
  }),
  family({
    name: 'ciliumscope_hubble_lost_events_total',
    type: 'counter',
    help: 'Events Hubble lost on the node by source (perf_event_ring_buffer, observer_events_queue, hubble_ring_buffer): drops it could not attribute; cumulative.',
    labelNames: ['node', 'source'],
    fill: pageCounts('source', (page) => page.lostEvents),
  }),
];

/** With --hubble-relay only. */
export const RELAY_FAMILIES = [
  relayFamily({
    name: 'ciliumscope_hubble_relay_up',
    type: 'gauge',
    help: '1 while the GetFlows stream from Hubble Relay is open and delivering, 0 otherwise.',
    labelNames: [],
    fill: (r, emit) => emit({}, r.status().connected ? 1 : 0),
  }),
  relayFamily({
    name: 'ciliumscope_hubble_relay_flows_total',
    type: 'counter',
    help: 'Drop flows received from Hubble Relay.',
    labelNames: [],
    fill: (r, emit) => emit({}, r.status().flows),
  }),
  relayFamily({
    name: 'ciliumscope_hubble_relay_refused_flows_total',
    type: 'counter',
    help: 'Drop flows from Hubble Relay not counted because they named more nodes than the exporter tracks (5,000).',
    labelNames: [],
    fill: (r, emit) => emit({}, r.refusedFlows()),
  }),
  relayFamily({
    name: 'ciliumscope_hubble_relay_lost_events_total',
    type: 'counter',
    help: 'Events Hubble lost before they reached the exporter (GetFlowsResponse lost_events), by source.',
    labelNames: ['source'],
    fill: relayCounts('source', (s) => s.lostEvents),
  }),
  relayFamily({
    name: 'ciliumscope_hubble_relay_reconnects_total',
    type: 'counter',
    help: 'GetFlows calls opened again after a fault, by kind: the gRPC status (UNAVAILABLE, INTERNAL, ...), ended or silent.',
    labelNames: ['kind'],
    fill: relayCounts('kind', (s) => s.errors),
  }),
  relayFamily({
    name: 'ciliumscope_hubble_relay_node_unavailable',
    type: 'gauge',
    help: 'Nodes Hubble Relay reports it cannot reach (node_status NODE_UNAVAILABLE or NODE_ERROR); always 1.',
    labelNames: ['node'],
    fill: (r, emit) => {
      for (const [node, s] of r.status().nodes) {
        if (s.state === 'NODE_UNAVAILABLE' || s.state === 'NODE_ERROR') {
          emit({ node }, 1);
        }
      }
    },
  }),
];
