import { exposition } from './exposition';

export const OPERATOR_CASES: Record<string, string> = {
  ciliumscope_operator_unmanaged_pods: exposition`
# HELP ciliumscope_operator_unmanaged_pods The operator's own unmanaged-pods gauge (Cilium 1.17+; counts only pods matching its --pod-restart-selector, kube-dns by default). See ciliumscope_unmanaged_pods for the full per-node count.
# TYPE ciliumscope_operator_unmanaged_pods gauge
ciliumscope_operator_unmanaged_pods 1
`,
  ciliumscope_operator_ipam_ips: exposition`
# HELP ciliumscope_operator_ipam_ips IPs in the operator's IPAM by type (available, used, needed).
# TYPE ciliumscope_operator_ipam_ips gauge
ciliumscope_operator_ipam_ips{type="available"} 100
ciliumscope_operator_ipam_ips{type="used"} 20
`,
  ciliumscope_operator_ipam_nodes: exposition`
# HELP ciliumscope_operator_ipam_nodes Nodes by IPAM category (total, in-deficit, at-capacity).
# TYPE ciliumscope_operator_ipam_nodes gauge
ciliumscope_operator_ipam_nodes{category="total"} 3
ciliumscope_operator_ipam_nodes{category="in-deficit"} 0
`,
  ciliumscope_operator_identity_gc_entries: exposition`
# HELP ciliumscope_operator_identity_gc_entries Identities alive and deleted at the end of the operator's last identity GC run.
# TYPE ciliumscope_operator_identity_gc_entries gauge
ciliumscope_operator_identity_gc_entries{status="alive"} 10
ciliumscope_operator_identity_gc_entries{status="deleted"} 2
`,
  ciliumscope_operator_identity_gc_runs: exposition`
# HELP ciliumscope_operator_identity_gc_runs Identity GC runs of the operator by outcome.
# TYPE ciliumscope_operator_identity_gc_runs gauge
ciliumscope_operator_identity_gc_runs{outcome="success"} 5
`,
};
