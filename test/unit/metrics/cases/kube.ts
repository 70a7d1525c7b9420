import { exposition } from './exposition';

export const KUBE_CASES: Record<string, string> = {
  ciliumscope_pods: exposition`
# HELP ciliumscope_pods Pods on the node that Cilium should manage: Running or Pending, not hostNetwork (terminating ones included, see ciliumscope_terminating_pods).
# TYPE ciliumscope_pods gauge
ciliumscope_pods{node="n1"} 11
ciliumscope_pods{node="n2"} 0
ciliumscope_pods{node="n9"} 4
ciliumscope_pods{node="n10"} 1
`,
  // Absent for the nodes without an agent (n9, n10).
  ciliumscope_unmanaged_pods: exposition`
# HELP ciliumscope_unmanaged_pods Of ciliumscope_pods, those without a CiliumEndpoint of the same namespace/name. Absent for nodes without a Cilium agent. Without the CiliumEndpoint CRD: max(0, pods - pod endpoints) (see ciliumscope_unmanaged_pods_source).
# TYPE ciliumscope_unmanaged_pods gauge
ciliumscope_unmanaged_pods{node="n1"} 1
ciliumscope_unmanaged_pods{node="n2"} 0
`,
  ciliumscope_endpoint_pod_delta: exposition`
# HELP ciliumscope_endpoint_pod_delta Pods minus the pod endpoints the node's agent reports (ciliumscope_pods - ciliumscope_pod_endpoints); above 0, pods Cilium does not manage.
# TYPE ciliumscope_endpoint_pod_delta gauge
ciliumscope_endpoint_pod_delta{node="n1"} 1
`,
  ciliumscope_terminating_pods: exposition`
# HELP ciliumscope_terminating_pods Of ciliumscope_pods, those being deleted (deletionTimestamp set): never counted as unmanaged, since their endpoint may already be gone.
# TYPE ciliumscope_terminating_pods gauge
ciliumscope_terminating_pods{node="n1"} 1
ciliumscope_terminating_pods{node="n2"} 0
ciliumscope_terminating_pods{node="n9"} 0
ciliumscope_terminating_pods{node="n10"} 1
`,
  // n10's only pod is terminating: not reported.
  ciliumscope_node_without_agent: exposition`
# HELP ciliumscope_node_without_agent 1 for a node that has pods but no Cilium agent (no agent pod, or its agent never answered a scrape); 0 for other nodes.
# TYPE ciliumscope_node_without_agent gauge
ciliumscope_node_without_agent{node="n1"} 0
ciliumscope_node_without_agent{node="n2"} 0
ciliumscope_node_without_agent{node="n9"} 1
`,
  ciliumscope_unmanaged_pods_source: exposition`
# HELP ciliumscope_unmanaged_pods_source How unmanaged pods are determined (always 1): ciliumendpoints (exact, by name), counts (CiliumEndpoint CRD absent: pods minus endpoints), none (not synced yet).
# TYPE ciliumscope_unmanaged_pods_source gauge
ciliumscope_unmanaged_pods_source{source="ciliumendpoints"} 1
`,
  ciliumscope_kube_synced: exposition`
# HELP ciliumscope_kube_synced 1 once the resource has been listed completely at least once.
# TYPE ciliumscope_kube_synced gauge
ciliumscope_kube_synced{resource="pods"} 1
ciliumscope_kube_synced{resource="ciliumendpoints"} 1
ciliumscope_kube_synced{resource="ciliumnodes"} 0
`,
  ciliumscope_kube_in_sync: exposition`
# HELP ciliumscope_kube_in_sync 1 while the resource's watch is open and current; 0 while reconnecting or relisting.
# TYPE ciliumscope_kube_in_sync gauge
ciliumscope_kube_in_sync{resource="pods"} 1
ciliumscope_kube_in_sync{resource="ciliumendpoints"} 0
ciliumscope_kube_in_sync{resource="ciliumnodes"} 0
`,
  // Absent before the first list (ciliumnodes).
  ciliumscope_kube_last_sync_age_seconds: exposition`
# HELP ciliumscope_kube_last_sync_age_seconds Seconds since the resource was last known current (0 while its watch is open); absent before the first list.
# TYPE ciliumscope_kube_last_sync_age_seconds gauge
ciliumscope_kube_last_sync_age_seconds{resource="pods"} 0
ciliumscope_kube_last_sync_age_seconds{resource="ciliumendpoints"} 12
`,
  ciliumscope_kube_watch_restarts_total: exposition`
# HELP ciliumscope_kube_watch_restarts_total Times the resource's list/watch had to recover: errors, dropped or abandoned watches, ERROR events such as 410 Gone.
# TYPE ciliumscope_kube_watch_restarts_total counter
ciliumscope_kube_watch_restarts_total{resource="pods"} 1
ciliumscope_kube_watch_restarts_total{resource="ciliumendpoints"} 3
ciliumscope_kube_watch_restarts_total{resource="ciliumnodes"} 0
`,
  ciliumscope_kube_lists_total: exposition`
# HELP ciliumscope_kube_lists_total Complete lists of the resource: the initial one and every relist (after 410 Gone, or an error before a resourceVersion was known).
# TYPE ciliumscope_kube_lists_total counter
ciliumscope_kube_lists_total{resource="pods"} 2
ciliumscope_kube_lists_total{resource="ciliumendpoints"} 1
ciliumscope_kube_lists_total{resource="ciliumnodes"} 0
`,
  ciliumscope_kube_objects: exposition`
# HELP ciliumscope_kube_objects Objects of the resource held (as slim records).
# TYPE ciliumscope_kube_objects gauge
ciliumscope_kube_objects{resource="pods"} 16
ciliumscope_kube_objects{resource="ciliumendpoints"} 11
ciliumscope_kube_objects{resource="ciliumnodes"} 0
`,
  ciliumscope_kube_resource_absent: exposition`
# HELP ciliumscope_kube_resource_absent 1 when the API server answers 404 for the resource (CiliumEndpoint CRD not installed).
# TYPE ciliumscope_kube_resource_absent gauge
ciliumscope_kube_resource_absent{resource="pods"} 0
ciliumscope_kube_resource_absent{resource="ciliumendpoints"} 0
ciliumscope_kube_resource_absent{resource="ciliumnodes"} 1
`,
  ciliumscope_discovered_targets: exposition`
# HELP ciliumscope_discovered_targets Scrape targets found by Kubernetes discovery, by component (agent, operator, and with --hubble-port hubble: the agents' Hubble metrics).
# TYPE ciliumscope_discovered_targets gauge
ciliumscope_discovered_targets{component="agent"} 3
ciliumscope_discovered_targets{component="operator"} 1
ciliumscope_discovered_targets{component="hubble"} 3
`,
};
