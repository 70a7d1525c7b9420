/**
 * Which metric names and labels a Cilium version exposes. The renderers ask these questions instead of comparing
 * version numbers themselves, so a rename is described in one place.
 */

export const SUPPORTED_MINORS = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20] as const;
export const DEFAULT_CILIUM_VERSION = '1.18';

export interface CiliumVersion {
  /** As the agent reports it in cilium_version{version}, e.g. "1.18.0". */
  full: string;
  minor: number;
  patch: number;
}

export class VersionError extends Error {}

/** Accepts "1.18", "1.18.3" or "v1.18.3"; only 1.9 to 1.20 are simulated. */
export function parseCiliumVersion(text: string): CiliumVersion {
  const match = /^v?1\.(\d{1,2})(?:\.(\d{1,3}))?$/.exec(text.trim());
  const minor = match ? Number(match[1]) : NaN;
  if (!match || !(SUPPORTED_MINORS as readonly number[]).includes(minor)) {
    throw new VersionError(
      `unsupported Cilium version "${text}": expected 1.${SUPPORTED_MINORS[0]} to 1.${SUPPORTED_MINORS[SUPPORTED_MINORS.length - 1]}, e.g. 1.18 or 1.16.5`
    );
  }
  const patch = match[2] === undefined ? 0 : Number(match[2]);
  return { full: `1.${minor}.${patch}`, minor, patch };
}

/** Version-dependent naming of the agent families the exporter reads. */
export interface AgentNaming {
  endpoint: string;
  endpointRegenerations: string;
  identity: string;
  /** cilium_identity carries a `type` label (cluster_local, node_local, reserved). */
  identityByType: boolean;
  policy: string;
  /** Old import-error counter name, or null once it was removed. */
  policyImportErrors: string | null;
  /** cilium_policy_change_total{outcome} exists. */
  policyChangeTotal: boolean;
  /** Scope that covers a whole regeneration in cilium_endpoint_regeneration_time_stats_seconds. */
  regenerationTotalScope: 'total' | 'buildDuration';
  /** Both regeneration outcomes are pre-initialised (newer metric package); older agents show failure on first use. */
  regenerationOutcomesInitialised: boolean;
  bpfMapPressure: boolean;
  /** Label name of the BPF map in cilium_bpf_map_ops_total. */
  bpfMapLabel: 'mapName' | 'map_name';
  /** cilium_version carries revision and arch and reads 1 (older agents: only version, reading 0). */
  versionLabelsFull: boolean;
  enforcementAuditModes: boolean;
  /** Operator: cilium_operator_unmanaged_pods (1.17+). */
  operatorUnmanagedPods: boolean;
  /** Operator: the aggregate cilium_operator_ipam_ips{type} (removed after 1.14). */
  operatorIpamIpsAggregate: boolean;
  /** Operator: per-node cilium_operator_ipam_{available,used,needed}_ips{target_node} (1.14+). */
  operatorIpamIpsPerNode: boolean;
  operatorIdentityGc: boolean;
}

export function agentNaming(version: CiliumVersion): AgentNaming {
  const m = version.minor;
  return {
    endpoint: m >= 10 ? 'cilium_endpoint' : 'cilium_endpoint_count',
    endpointRegenerations: m >= 10 ? 'cilium_endpoint_regenerations_total' : 'cilium_endpoint_regenerations',
    identity: m >= 10 ? 'cilium_identity' : 'cilium_identity_count',
    identityByType: m >= 14,
    policy: m >= 10 ? 'cilium_policy' : 'cilium_policy_count',
    policyImportErrors: m >= 15 ? null : m >= 10 ? 'cilium_policy_import_errors_total' : 'cilium_policy_import_errors',
    policyChangeTotal: m >= 14,
    regenerationTotalScope: m >= 10 ? 'total' : 'buildDuration',
    regenerationOutcomesInitialised: m >= 15,
    bpfMapPressure: m >= 14,
    bpfMapLabel: m >= 10 ? 'map_name' : 'mapName',
    versionLabelsFull: m >= 12,
    enforcementAuditModes: m >= 10,
    operatorUnmanagedPods: m >= 17,
    operatorIpamIpsAggregate: m <= 14,
    operatorIpamIpsPerNode: m >= 14,
    operatorIdentityGc: m >= 11,
  };
}
