import { anomalyClusterSpikeScenario } from './anomaly-cluster-spike';
import { anomalyLevelShiftScenario } from './anomaly-level-shift';
import { anomalyNoisyScenario } from './anomaly-noisy';
import { anomalyQuietScenario } from './anomaly-quiet';
import { anomalyRampScenario } from './anomaly-ramp';
import { anomalyResetsScenario } from './anomaly-resets';
import { anomalySeasonalScenario } from './anomaly-seasonal';
import { defaultScenario } from './default';
import { kubeHardCasesScenario } from './kube-hard-cases';
import type { Scenario, ScenarioFactory } from './types';

export type { Scenario, ScenarioFactory, ScenarioParameters } from './types';
export { DEFAULT_PARAMETERS } from './types';
export type { AnomalyLabel, AnomalyKind, AgentResetEvent, LabelledScenario } from './anomaly-labels';
export { isLabelledScenario } from './anomaly-labels';
export type { KubeCase, KubeCaseClass, KubeCaseScenario } from './kube-hard-cases';
export { isKubeCaseScenario } from './kube-hard-cases';

/** Named scenarios; each call builds a fresh instance, since a scenario may keep state across ticks. */
export const SCENARIOS: Readonly<Record<string, ScenarioFactory>> = {
  default: defaultScenario,
  'anomaly-quiet': anomalyQuietScenario,
  'anomaly-noisy': anomalyNoisyScenario,
  'anomaly-seasonal': anomalySeasonalScenario,
  'anomaly-ramp': anomalyRampScenario,
  'anomaly-level-shift': anomalyLevelShiftScenario,
  'anomaly-cluster-spike': anomalyClusterSpikeScenario,
  'anomaly-resets': anomalyResetsScenario,
  'kube-hard-cases': kubeHardCasesScenario,
};

export class UnknownScenarioError extends Error {}

export function createScenario(name: string): Scenario {
  const factory = Object.prototype.hasOwnProperty.call(SCENARIOS, name) ? SCENARIOS[name] : undefined;
  if (!factory) {
    throw new UnknownScenarioError(
      `unknown scenario "${name}": known scenarios are ${Object.keys(SCENARIOS).join(', ')}`
    );
  }
  return factory();
}
