import { anomalyScenario, spikePlanner, type LabelledScenario } from './anomaly-labels';

/** Chance per tick of an extra burst on each series of a noisy node, and the burst's factor (log-normal). */
const NOISE_CHANCE_PER_5S = 0.06;
const NOISE_FACTOR_MEDIAN = 6;
const NOISE_FACTOR_SIGMA = 0.8;

/**
 * A third of the nodes drop in frequent extra bursts on every series they have (not labelled: that is their normal),
 * with one-node spikes of 2×, 5× and 20× on noisy and ordinary nodes alike.
 */
export function anomalyNoisyScenario(): LabelledScenario {
  const noisy = new Set<string>();
  const spikes = spikePlanner({
    factors: [2, 5, 20],
    gapSeconds: [240, 480],
    durationSeconds: [180, 900],
    newShare: 0.1,
  });
  let chance = 0;
  return anomalyScenario({
    name: 'anomaly-noisy',
    description: 'a third of the nodes with frequent extra drop bursts, and labelled one-node spikes (2×, 5×, 20×)',
    setup(book) {
      chance = 1 - Math.pow(1 - NOISE_CHANCE_PER_5S, book.cluster.tickSeconds / 5);
      for (const node of book.cluster.nodes) {
        if (node.index % 3 === 1) {
          noisy.add(node.name);
        }
      }
    },
    step: spikes,
    extraFactor(book, node) {
      if (!noisy.has(node.name) || !book.rng.chance(chance)) {
        return 1;
      }
      return 1 + book.rng.logNormal(NOISE_FACTOR_MEDIAN, NOISE_FACTOR_SIGMA);
    },
  });
}
