import { exposition } from './exposition';

/** At the time of each node's last Hubble page; n3's page is stale and withdrawn. */
export const HUBBLE_CASES: Record<string, string> = {
  // n1: the two pairs ranked first of "Policy denied" (top K 2) and the rest in its "(other)" row, counted from the
  // second page (the first sets the baselines); reserved:world was kept at the second page, so its row went with it.
  // n2 (namespace context, no direction) at its last page's time; n3 is stale.
  ciliumscope_workload_dropped_packets_total: exposition`
# HELP ciliumscope_workload_dropped_packets_total Packets dropped per workload pair as Hubble attributes them, per node, reason (the agent's string) and direction (UNKNOWN when Hubble metrics lack traffic_direction): the top --hubble-top-k pairs per node and reason (of those the model can vouch for), plus one "(other)" row per direction (all four workload labels "(other)") with the rest, so the rows add up to the node's Hubble drops. Counted since the exporter started.
# TYPE ciliumscope_workload_dropped_packets_total counter
ciliumscope_workload_dropped_packets_total{node="n1",source_namespace="shop",source_workload="batch",destination_namespace="shop",destination_workload="cart",reason="Policy denied",direction="INGRESS"} 40 1700000120000
ciliumscope_workload_dropped_packets_total{node="n1",source_namespace="shop",source_workload="web",destination_namespace="shop",destination_workload="cart",reason="Policy denied",direction="INGRESS"} 120 1700000120000
ciliumscope_workload_dropped_packets_total{node="n1",source_namespace="(other)",source_workload="(other)",destination_namespace="(other)",destination_workload="(other)",reason="Policy denied",direction="INGRESS"} 1 1700000120000
ciliumscope_workload_dropped_packets_total{node="n1",source_namespace="shop",source_workload="web",destination_namespace="kube-system",destination_workload="coredns",reason="Stale or unroutable IP",direction="EGRESS"} 2 1700000120000
ciliumscope_workload_dropped_packets_total{node="n2",source_namespace="shop",source_workload="",destination_namespace="db",destination_workload="",reason="Policy denied",direction="UNKNOWN"} 5 1700000060000
`,
  ciliumscope_workload_drop_pairs: exposition`
# HELP ciliumscope_workload_drop_pairs Workload pairs the model holds for the node (kept and ranked; at most 2 × --hubble-top-k per reason).
# TYPE ciliumscope_workload_drop_pairs gauge
ciliumscope_workload_drop_pairs{node="n1"} 4 1700000120000
ciliumscope_workload_drop_pairs{node="n2"} 1 1700000060000
`,
  ciliumscope_workload_drop_pair_evictions_total: exposition`
# HELP ciliumscope_workload_drop_pair_evictions_total Workload pairs that gave their place in the model to a new pair (a high rate means more distinct pairs than the model holds).
# TYPE ciliumscope_workload_drop_pair_evictions_total counter
ciliumscope_workload_drop_pair_evictions_total{node="n1"} 0 1700000120000
ciliumscope_workload_drop_pair_evictions_total{node="n2"} 0 1700000060000
`,
  ciliumscope_hubble_context: exposition`
# HELP ciliumscope_hubble_context Form of the context labels on the node's hubble_drop_total (pod, namespace, workload-name, identity, labels, reserved-identity, ip, none); always 1.
# TYPE ciliumscope_hubble_context gauge
ciliumscope_hubble_context{node="n1",form="pod"} 1 1700000120000
ciliumscope_hubble_context{node="n2",form="namespace"} 1 1700000060000
`,
  ciliumscope_hubble_unknown_labels: exposition`
# HELP ciliumscope_hubble_unknown_labels Labels on the node's hubble_drop_total that are not Hubble context labels the exporter reads; always 1.
# TYPE ciliumscope_hubble_unknown_labels gauge
ciliumscope_hubble_unknown_labels{node="n1",label="source_cluster_id"} 1 1700000120000
`,
  // Series beyond the normaliser's cap on n1's page.
  ciliumscope_hubble_untracked_series: exposition`
# HELP ciliumscope_hubble_untracked_series hubble_drop_total series on the node's last page beyond --hubble-max-series, not counted.
# TYPE ciliumscope_hubble_untracked_series gauge
ciliumscope_hubble_untracked_series{node="n1"} 2 1700000120000
ciliumscope_hubble_untracked_series{node="n2"} 0 1700000060000
`,
  ciliumscope_hubble_flows_processed_total: exposition`
# HELP ciliumscope_hubble_flows_processed_total Flows Hubble processed on the node by verdict (hubble_flows_processed_total summed over type and context); the agent's cumulative counter.
# TYPE ciliumscope_hubble_flows_processed_total counter
ciliumscope_hubble_flows_processed_total{node="n1",verdict="FORWARDED"} 15000 1700000120000
ciliumscope_hubble_flows_processed_total{node="n1",verdict="DROPPED"} 325 1700000120000
ciliumscope_hubble_flows_processed_total{node="n2",verdict="FORWARDED"} 900 1700000060000
`,
  ciliumscope_hubble_policy_verdicts_total: exposition`
# HELP ciliumscope_hubble_policy_verdicts_total Policy verdicts Hubble saw on the node by direction, match type and action (hubble_policy_verdicts_total summed over context); cumulative.
# TYPE ciliumscope_hubble_policy_verdicts_total counter
ciliumscope_hubble_policy_verdicts_total{node="n1",direction="ingress",match="none",action="dropped"} 320 1700000120000
`,
  ciliumscope_hubble_lost_events_total: exposition`
# HELP ciliumscope_hubble_lost_events_total Events Hubble lost on the node by source (perf_event_ring_buffer, observer_events_queue, hubble_ring_buffer): drops it could not attribute; cumulative.
# TYPE ciliumscope_hubble_lost_events_total counter
ciliumscope_hubble_lost_events_total{node="n1",source="perf_event_ring_buffer"} 3 1700000120000
`,
};

/** The Relay stream's state: not timestamped. */
export const RELAY_CASES: Record<string, string> = {
  ciliumscope_hubble_relay_up: exposition`
# HELP ciliumscope_hubble_relay_up 1 while the GetFlows stream from Hubble Relay is open and delivering, 0 otherwise.
# TYPE ciliumscope_hubble_relay_up gauge
ciliumscope_hubble_relay_up 1
`,
  ciliumscope_hubble_relay_flows_total: exposition`
# HELP ciliumscope_hubble_relay_flows_total Drop flows received from Hubble Relay.
# TYPE ciliumscope_hubble_relay_flows_total counter
ciliumscope_hubble_relay_flows_total 1234
`,
  ciliumscope_hubble_relay_refused_flows_total: exposition`
# HELP ciliumscope_hubble_relay_refused_flows_total Drop flows from Hubble Relay not counted because they named more nodes than the exporter tracks (5,000).
# TYPE ciliumscope_hubble_relay_refused_flows_total counter
ciliumscope_hubble_relay_refused_flows_total 3
`,
  ciliumscope_hubble_relay_lost_events_total: exposition`
# HELP ciliumscope_hubble_relay_lost_events_total Events Hubble lost before they reached the exporter (GetFlowsResponse lost_events), by source.
# TYPE ciliumscope_hubble_relay_lost_events_total counter
ciliumscope_hubble_relay_lost_events_total{source="HUBBLE_RING_BUFFER"} 5
`,
  ciliumscope_hubble_relay_reconnects_total: exposition`
# HELP ciliumscope_hubble_relay_reconnects_total GetFlows calls opened again after a fault, by kind: the gRPC status (UNAVAILABLE, INTERNAL, ...), ended or silent.
# TYPE ciliumscope_hubble_relay_reconnects_total counter
ciliumscope_hubble_relay_reconnects_total{kind="UNAVAILABLE"} 2
ciliumscope_hubble_relay_reconnects_total{kind="silent"} 1
`,
  ciliumscope_hubble_relay_node_unavailable: exposition`
# HELP ciliumscope_hubble_relay_node_unavailable Nodes Hubble Relay reports it cannot reach (node_status NODE_UNAVAILABLE or NODE_ERROR); always 1.
# TYPE ciliumscope_hubble_relay_node_unavailable gauge
ciliumscope_hubble_relay_node_unavailable{node="n4"} 1
ciliumscope_hubble_relay_node_unavailable{node="n5"} 1
`,
};
