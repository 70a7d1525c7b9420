import { anomalyScenario, spikePlanner, type LabelledScenario } from './anomaly-labels';

/** The simulator's ordinary bursty background, with one-node spikes of 2×, 5× and 20× lasting 3 to 15 minutes. */
export function anomalyQuietScenario(): LabelledScenario {
  const spikes = spikePlanner({
    factors: [2, 5, 20],
    gapSeconds: [240, 480],
    durationSeconds: [180, 900],
    newShare: 0.15,
  });
  return anomalyScenario({
    name: 'anomaly-quiet',
    description: 'labelled one-node drop spikes (2×, 5×, 20×) on the ordinary bursty background',
    step: spikes,
  });
}
