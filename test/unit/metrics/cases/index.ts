/**
 * The exact text of every /metrics family on the fixed cluster of ../fixture.ts (agent series stamped with their
 * scrape's time), by group. A family the exporter registers without a case here fails families.test.ts.
 */
import { AGENT_CASES } from './agent';
import { ANOMALY_CASES } from './anomaly';
import { HUBBLE_CASES, RELAY_CASES } from './hubble';
import { KUBE_CASES } from './kube';
import { OPERATOR_CASES } from './operator';
import { SELF_CASES } from './self';
import { TARGETS_CASES } from './targets';

export const CASES: Record<string, string> = {
  ...SELF_CASES,
  ...TARGETS_CASES,
  ...AGENT_CASES,
  ...OPERATOR_CASES,
  ...ANOMALY_CASES,
  ...KUBE_CASES,
  ...HUBBLE_CASES,
  ...RELAY_CASES,
};
