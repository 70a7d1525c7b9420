/**
 * The normalised, Cilium-version-independent view of one scrape. The normaliser (normalise.ts) fills these from
 * whichever metric names an agent or operator exposes; everything downstream (model, history, /metrics, API)
 * reads only these types and never a raw Cilium metric name.
 *
 * `null` means "the agent does not expose this" (an old version, a disabled metric), which is different from 0.
 */

/** A cumulative Prometheus histogram: upper bounds ascending, the last one +Inf, counts cumulative. */
export interface CumulativeHistogram {
  upperBounds: number[];
  cumulativeCounts: number[];
  sum: number;
  count: number;
}

/** Forwarded or dropped traffic for one direction (and, for drops, one reason). Counters. */
export interface TrafficCounter {
  direction: string;
  packets: number;
  /** null when the agent exposes packet counts but not byte counts (very old agents). */
  bytes: number | null;
}

export interface DropCounter extends TrafficCounter {
  reason: string;
}

export interface AgentSample {
  /** "1.11.0" from cilium_version{version}; null when absent. */
  ciliumVersion: string | null;
  /** cilium_endpoint (cilium_endpoint_count before 1.10): every endpoint, host and health included. */
  endpoints: number | null;
  /** cilium_endpoint_state{endpoint_state}: endpoint count per state, as the agent names states. */
  endpointStates: Record<string, number>;
  /** cilium_endpoint_regenerations_total{outcome} (no _total before 1.10). Counters keyed by outcome. */
  regenerations: Record<string, number>;
  /**
   * Total regeneration time: cilium_endpoint_regeneration_time_stats_seconds{scope="total"} (scope
   * "buildDuration" on agents that have no "total"), summed over status. null when absent.
   */
  regenerationTime: CumulativeHistogram | null;
  forwarded: TrafficCounter[];
  dropped: DropCounter[];
  /** cilium_policy (cilium_policy_count before 1.10). */
  policies: number | null;
  policyMaxRevision: number | null;
  /**
   * Failed policy imports, a counter: cilium_policy_import_errors[_total] on agents up to 1.14,
   * cilium_policy_change_total{outcome="failure"} on newer ones. null when neither is exposed.
   */
  policyImportErrors: number | null;
  /** cilium_policy_endpoint_enforcement_status{enforcement}: endpoints per enforcement mode. */
  enforcement: Record<string, number>;
  /** cilium_identity (cilium_identity_count before 1.10), summed over its `type` label. */
  identities: number | null;
  unreachableNodes: number | null;
  unreachableHealthEndpoints: number | null;
  controllersFailing: number | null;
  /** cilium_bpf_map_pressure{map_name}: fill ratio 0..1 per map (reported only above a threshold). */
  bpfMapPressure: Record<string, number>;
  /** cilium_ip_addresses{family}. */
  ipAddresses: Record<string, number>;
  /** cilium_process_start_time_seconds: tells agent restarts apart from counter resets. */
  processStartTimeSeconds: number | null;
}

export interface OperatorSample {
  /** cilium_operator_unmanaged_pods (1.17+, only kube-dns pods by default); null when absent. */
  unmanagedPods: number | null;
  /** IP counts by type (available, used, needed): cilium_operator_ipam_ips / cilium_operator_eni_ips. */
  ipamIps: Record<string, number>;
  /** Nodes by IPAM category (total, in-deficit, at-capacity). */
  ipamNodes: Record<string, number>;
  /** cilium_operator_identity_gc_entries{status}. */
  identityGcEntries: Record<string, number>;
  /** cilium_operator_identity_gc_runs{outcome}. */
  identityGcRuns: Record<string, number>;
  processStartTimeSeconds: number | null;
}
