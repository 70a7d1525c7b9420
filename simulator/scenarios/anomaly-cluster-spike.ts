import { DROP_PROFILES } from '../drop-reasons';
import { anomalyScenario, atCadence, type LabelledScenario } from './anomaly-labels';

/** Reasons most nodes drop for, so a cluster-wide spike on them touches most series of that kind. */
const COMMON = DROP_PROFILES.filter((p) => p.nodeShare >= 0.7);

/**
 * Cluster-wide spikes: every 1.5 to 2.5 hours one direction × reason jumps 5× or 20× on every node at once for 5 to
 * 10 minutes (a bad policy rollout, a broken service). Labelled on every node.
 */
export function anomalyClusterSpikeScenario(): LabelledScenario {
  let turn = 0;
  return anomalyScenario({
    name: 'anomaly-cluster-spike',
    description: 'labelled cluster-wide drop spikes (5× or 20× on every node for 5–10 minutes)',
    step: atCadence({ every: [5400, 9000], first: (book) => book.rng.range(600, 1800) }, (book) => {
      const profile = book.rng.pick(COMMON);
      const factor = turn++ % 2 === 0 ? 5 : 20;
      book.spike(
        '*',
        profile.direction,
        profile.reason,
        factor,
        book.ticks(book.rng.range(300, 600)),
        'cluster-spike',
        book.newGroup()
      );
    }),
  });
}
