/**
 * How Hubble names the drop reasons the simulated agents count: the DropReason enum name of Hubble's flow API and
 * its datapath code (api/v1/flow/flow.proto), for each agent reason string in drop-reasons.ts. Kept apart from the
 * exporter's catalogue on purpose, so a test of the exporter's mapping checks it against an independent table.
 */
const HUBBLE_REASONS: Record<string, { name: string; code: number }> = {
  'Policy denied': { name: 'POLICY_DENIED', code: 133 },
  'Invalid packet': { name: 'INVALID_PACKET_DROPPED', code: 134 },
  'Unsupported L3 protocol': { name: 'UNSUPPORTED_L3_PROTOCOL', code: 139 },
  'Unknown L4 protocol': { name: 'UNKNOWN_L4_PROTOCOL', code: 142 },
  'Stale or unroutable IP': { name: 'STALE_OR_UNROUTABLE_IP', code: 151 },
  'CT: Map insertion failed': { name: 'CT_MAP_INSERTION_FAILED', code: 155 },
  'Service backend not found': { name: 'SERVICE_BACKEND_NOT_FOUND', code: 158 },
  'Unsupported L2 protocol': { name: 'UNSUPPORTED_L2_PROTOCOL', code: 166 },
  'FIB lookup failed': { name: 'FIB_LOOKUP_FAILED', code: 169 },
  'Policy denied by denylist': { name: 'POLICY_DENY', code: 181 },
  'Authentication required': { name: 'AUTH_REQUIRED', code: 189 },
};

/** Hubble's enum name of an agent reason; a reason outside the table (an injected spike) gets DROP_REASON_UNKNOWN. */
export function hubbleReasonName(reason: string): string {
  return HUBBLE_REASONS[reason]?.name ?? 'DROP_REASON_UNKNOWN';
}

/** Hubble's numeric reason (0 when unknown). */
export function hubbleReasonCode(reason: string): number {
  return HUBBLE_REASONS[reason]?.code ?? 0;
}
