import { DEFAULT_PARAMETERS, type Scenario } from './types';

/** A steady cluster: background drops, a little pod churn, rare policy changes and import failures. */
export function defaultScenario(): Scenario {
  return {
    name: 'default',
    description: 'steady cluster with bursty background drops and a little endpoint churn',
    parameters: { ...DEFAULT_PARAMETERS },
  };
}
