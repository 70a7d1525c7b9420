import { exposition } from './exposition';

export const AGENT_CASES: Record<string, string> = {
  // n2 failed its last scrape but is still fresh: its last sample, at that sample's time. n3 is stale: withdrawn.
  ciliumscope_agent_info: exposition`
# HELP ciliumscope_agent_info Cilium agent version per node (always 1).
# TYPE ciliumscope_agent_info gauge
ciliumscope_agent_info{node="n1",version="1.16.3"} 1 1700000120000
ciliumscope_agent_info{node="n2",version="unknown"} 1 1700000060000
`,
  // Every known node, stale ones included, at the time of its last sample.
  ciliumscope_agent_restarts_total: exposition`
# HELP ciliumscope_agent_restarts_total Agent restarts the exporter detected (process start time changed or counters went down) since it started.
# TYPE ciliumscope_agent_restarts_total counter
ciliumscope_agent_restarts_total{node="n1"} 1 1700000120000
ciliumscope_agent_restarts_total{node="n2"} 0 1700000060000
ciliumscope_agent_restarts_total{node="n3"} 0 1700000000000
`,
  ciliumscope_endpoints: exposition`
# HELP ciliumscope_endpoints Endpoints per node and state, as the agent names states (ready, regenerating, ...). Host and health endpoints included.
# TYPE ciliumscope_endpoints gauge
ciliumscope_endpoints{node="n1",state="ready"} 10 1700000120000
ciliumscope_endpoints{node="n1",state="regenerating"} 2 1700000120000
ciliumscope_endpoints{node="n2",state="ready"} 1 1700000060000
`,
  ciliumscope_endpoints_total: exposition`
# HELP ciliumscope_endpoints_total All endpoints the agent manages, host and health endpoints included (cilium_endpoint).
# TYPE ciliumscope_endpoints_total gauge
ciliumscope_endpoints_total{node="n1"} 12 1700000120000
ciliumscope_endpoints_total{node="n2"} 1 1700000060000
`,
  // cilium_endpoint minus --non-pod-endpoints (2), not below 0.
  ciliumscope_pod_endpoints: exposition`
# HELP ciliumscope_pod_endpoints Endpoints that are pods: the agent's endpoints minus its host and health endpoints (--non-pod-endpoints).
# TYPE ciliumscope_pod_endpoints gauge
ciliumscope_pod_endpoints{node="n1"} 10 1700000120000
ciliumscope_pod_endpoints{node="n2"} 0 1700000060000
`,
  ciliumscope_endpoint_regenerations_total: exposition`
# HELP ciliumscope_endpoint_regenerations_total Endpoint regenerations completed, by outcome (success, failure); the agent's cumulative counter.
# TYPE ciliumscope_endpoint_regenerations_total counter
ciliumscope_endpoint_regenerations_total{node="n1",outcome="success"} 102 1700000120000
ciliumscope_endpoint_regenerations_total{node="n1",outcome="failure"} 2 1700000120000
ciliumscope_endpoint_regenerations_total{node="n2",outcome="success"} 101 1700000060000
ciliumscope_endpoint_regenerations_total{node="n2",outcome="failure"} 2 1700000060000
`,
  ciliumscope_forwarded_packets_total: exposition`
# HELP ciliumscope_forwarded_packets_total Packets forwarded by the agent's datapath, by direction (INGRESS, EGRESS); the agent's cumulative counter.
# TYPE ciliumscope_forwarded_packets_total counter
ciliumscope_forwarded_packets_total{node="n1",direction="INGRESS"} 3000 1700000120000
ciliumscope_forwarded_packets_total{node="n1",direction="EGRESS"} 2400 1700000120000
ciliumscope_forwarded_packets_total{node="n2",direction="INGRESS"} 100 1700000060000
`,
  // n2's old agent has no byte counts: no sample rather than 0.
  ciliumscope_forwarded_bytes_total: exposition`
# HELP ciliumscope_forwarded_bytes_total Bytes forwarded by the agent's datapath, by direction; the agent's cumulative counter.
# TYPE ciliumscope_forwarded_bytes_total counter
ciliumscope_forwarded_bytes_total{node="n1",direction="INGRESS"} 192000 1700000120000
ciliumscope_forwarded_bytes_total{node="n1",direction="EGRESS"} 153600 1700000120000
`,
  ciliumscope_dropped_packets_total: exposition`
# HELP ciliumscope_dropped_packets_total Packets dropped by the agent's datapath, by direction and reason (the agent's reason string, e.g. "Policy denied"); cumulative.
# TYPE ciliumscope_dropped_packets_total counter
ciliumscope_dropped_packets_total{node="n1",direction="INGRESS",reason="Policy denied"} 130 1700000120000
ciliumscope_dropped_packets_total{node="n1",direction="EGRESS",reason="Stale or unroutable IP"} 3 1700000120000
ciliumscope_dropped_packets_total{node="n2",direction="INGRESS",reason="Policy denied"} 10 1700000060000
`,
  ciliumscope_dropped_bytes_total: exposition`
# HELP ciliumscope_dropped_bytes_total Bytes dropped by the agent's datapath, by direction and reason; cumulative.
# TYPE ciliumscope_dropped_bytes_total counter
ciliumscope_dropped_bytes_total{node="n1",direction="INGRESS",reason="Policy denied"} 8320 1700000120000
`,
  ciliumscope_policies: exposition`
# HELP ciliumscope_policies Network policies loaded in the agent (cilium_policy).
# TYPE ciliumscope_policies gauge
ciliumscope_policies{node="n1"} 5 1700000120000
ciliumscope_policies{node="n2"} 5 1700000060000
`,
  // n2's NaN is not written.
  ciliumscope_policy_max_revision: exposition`
# HELP ciliumscope_policy_max_revision Highest policy revision in the agent; differences between nodes show policy propagation lag.
# TYPE ciliumscope_policy_max_revision gauge
ciliumscope_policy_max_revision{node="n1"} 44 1700000120000
`,
  ciliumscope_policy_import_errors_total: exposition`
# HELP ciliumscope_policy_import_errors_total Failed policy imports: cilium_policy_import_errors_total on old agents, cilium_policy_change_total{outcome="failure"} on 1.14+; cumulative.
# TYPE ciliumscope_policy_import_errors_total counter
ciliumscope_policy_import_errors_total{node="n1"} 1 1700000120000
`,
  ciliumscope_policy_enforcement_endpoints: exposition`
# HELP ciliumscope_policy_enforcement_endpoints Endpoints per policy enforcement mode (none, ingress, egress, both, audit-*).
# TYPE ciliumscope_policy_enforcement_endpoints gauge
ciliumscope_policy_enforcement_endpoints{node="n1",enforcement="none"} 3 1700000120000
ciliumscope_policy_enforcement_endpoints{node="n1",enforcement="both"} 7 1700000120000
`,
  ciliumscope_identities: exposition`
# HELP ciliumscope_identities Security identities allocated, summed over type.
# TYPE ciliumscope_identities gauge
ciliumscope_identities{node="n1"} 20 1700000120000
ciliumscope_identities{node="n2"} 20 1700000060000
`,
  ciliumscope_unreachable_nodes: exposition`
# HELP ciliumscope_unreachable_nodes Nodes this agent cannot reach (cilium-health).
# TYPE ciliumscope_unreachable_nodes gauge
ciliumscope_unreachable_nodes{node="n1"} 0 1700000120000
ciliumscope_unreachable_nodes{node="n2"} 0 1700000060000
`,
  ciliumscope_unreachable_health_endpoints: exposition`
# HELP ciliumscope_unreachable_health_endpoints Health endpoints this agent cannot reach.
# TYPE ciliumscope_unreachable_health_endpoints gauge
ciliumscope_unreachable_health_endpoints{node="n1"} 1 1700000120000
ciliumscope_unreachable_health_endpoints{node="n2"} 1 1700000060000
`,
  ciliumscope_controllers_failing: exposition`
# HELP ciliumscope_controllers_failing Agent controllers currently failing.
# TYPE ciliumscope_controllers_failing gauge
ciliumscope_controllers_failing{node="n1"} 0 1700000120000
ciliumscope_controllers_failing{node="n2"} 0 1700000060000
`,
  ciliumscope_bpf_map_pressure: exposition`
# HELP ciliumscope_bpf_map_pressure Fill ratio (0..1) of BPF maps the agent reports (only maps above Cilium's reporting threshold).
# TYPE ciliumscope_bpf_map_pressure gauge
ciliumscope_bpf_map_pressure{node="n1",map_name="lb4_services_v2"} 0.93 1700000120000
`,
  ciliumscope_ip_addresses: exposition`
# HELP ciliumscope_ip_addresses IP addresses allocated on the node by family.
# TYPE ciliumscope_ip_addresses gauge
ciliumscope_ip_addresses{node="n1",family="ipv4"} 12 1700000120000
ciliumscope_ip_addresses{node="n1",family="ipv6"} 12 1700000120000
ciliumscope_ip_addresses{node="n2",family="ipv4"} 3 1700000060000
`,
  // The agent's own buckets; n2 has no histogram.
  ciliumscope_endpoint_regeneration_seconds: exposition`
# HELP ciliumscope_endpoint_regeneration_seconds Total endpoint regeneration time (cilium_endpoint_regeneration_time_stats_seconds, scope total), the agent's buckets.
# TYPE ciliumscope_endpoint_regeneration_seconds histogram
ciliumscope_endpoint_regeneration_seconds_bucket{node="n1",le="0.5"} 92 1700000120000
ciliumscope_endpoint_regeneration_seconds_bucket{node="n1",le="1"} 103 1700000120000
ciliumscope_endpoint_regeneration_seconds_bucket{node="n1",le="+Inf"} 104 1700000120000
ciliumscope_endpoint_regeneration_seconds_sum{node="n1"} 42.25 1700000120000
ciliumscope_endpoint_regeneration_seconds_count{node="n1"} 104 1700000120000
`,
};
