/**
 * The Hubble metric families the exporter reads, and Hubble's drop reasons in the agent's words.
 *
 * Hubble names a drop reason by its enum name (`POLICY_DENIED`), the agent's cilium_drop_count_total by a string
 * ("Policy denied"). Both sides are keyed by the agent's string through the drop-reason catalogue, so a Hubble drop
 * and an agent drop of the same reason land on the same `reason` label. A name the catalogue does not know is kept
 * as Hubble wrote it.
 */
import { DROP_REASONS } from '../cilium/dropReasons';

export const HUBBLE_FAMILIES = {
  drops: 'hubble_drop_total',
  flowsProcessed: 'hubble_flows_processed_total',
  policyVerdicts: 'hubble_policy_verdicts_total',
  lostEvents: 'hubble_lost_events_total',
} as const;

const KEPT = new Set<string>();
for (const name of Object.values(HUBBLE_FAMILIES)) {
  // Prometheus text declares a counter family with its `_total` name, OpenMetrics without.
  KEPT.add(name);
  KEPT.add(name.slice(0, -'_total'.length));
}

export function keepHubbleFamily(family: string): boolean {
  return KEPT.has(family);
}

/** The agent's current reason string per Hubble enum name (the first catalogue entry of a name is the current one). */
const AGENT_REASON_BY_HUBBLE_NAME = new Map<string, string>();
/** ... and per datapath code, for flows that carry the numeric reason. */
const AGENT_REASON_BY_CODE = new Map<number, string>();
for (const entry of DROP_REASONS) {
  if (entry.hubbleName !== null && !AGENT_REASON_BY_HUBBLE_NAME.has(entry.hubbleName)) {
    AGENT_REASON_BY_HUBBLE_NAME.set(entry.hubbleName, entry.reason);
  }
  if (entry.code !== null && !AGENT_REASON_BY_CODE.has(entry.code)) {
    AGENT_REASON_BY_CODE.set(entry.code, entry.reason);
  }
}

/** Longest reason label kept from a page; longer ones are not a Cilium reason and are cut. */
const MAX_REASON_LENGTH = 128;

/** Hubble's reason (`POLICY_DENIED`) as the agent writes it ("Policy denied"); unknown names pass through. */
export function agentReasonOfHubbleName(name: string): string {
  const known = AGENT_REASON_BY_HUBBLE_NAME.get(name);
  if (known !== undefined) {
    return known;
  }
  return name.length <= MAX_REASON_LENGTH ? name : name.slice(0, MAX_REASON_LENGTH);
}

/** A flow's numeric drop reason as the agent writes it, or the code itself when the catalogue does not know it. */
export function agentReasonOfCode(code: number): string {
  return AGENT_REASON_BY_CODE.get(code) ?? String(code);
}

/** The agent's reason string's Hubble enum name, for the simulator and tests. */
export function hubbleNameOfAgentReason(reason: string): string | null {
  for (const [name, agent] of AGENT_REASON_BY_HUBBLE_NAME) {
    if (agent === reason) {
      return name;
    }
  }
  return null;
}
