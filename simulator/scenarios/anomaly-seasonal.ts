import { POLICY_DENIED } from '../drop-reasons';
import { anomalyScenario, spikePlanner, type LabelledScenario } from './anomaly-labels';

const DAY_SECONDS = 86_400;
/** Hour of the day (UTC) with the most traffic. */
const PEAK_HOUR = 14;
/** Factor at the daily peak: policy denials follow traffic closely, other reasons less. */
const PEAK_FACTOR_POLICY = 6;
const PEAK_FACTOR_OTHER = 2.5;

/**
 * Drops follow a daily traffic cycle on every node (a smooth factor from 1 at night to 6 at the peak for policy
 * denials): normal, so not labelled. One-node spikes of 5× and 20× on top, at any time of day.
 */
export function anomalySeasonalScenario(): LabelledScenario {
  const spikes = spikePlanner({ factors: [5, 20], gapSeconds: [600, 1200], durationSeconds: [300, 900], newShare: 0 });
  return anomalyScenario({
    name: 'anomaly-seasonal',
    description:
      'a daily drop cycle on every node (1× at night to 6× at the peak) with labelled one-node spikes (5×, 20×)',
    step: spikes,
    extraFactor(book, _node, _direction, reason) {
      const seconds = book.cluster.nowSeconds - PEAK_HOUR * 3600;
      const phase = (1 + Math.cos((2 * Math.PI * seconds) / DAY_SECONDS)) / 2;
      const peak = reason === POLICY_DENIED ? PEAK_FACTOR_POLICY : PEAK_FACTOR_OTHER;
      return 1 + (peak - 1) * phase;
    },
  });
}
