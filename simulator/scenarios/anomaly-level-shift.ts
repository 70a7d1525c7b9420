import { anomalyScenario, atCadence, type LabelledScenario } from './anomaly-labels';

/** How long a level shift is labelled: by then the detector should take it as the new normal. */
const LABELLED_SECONDS = 3600;

/**
 * Deploys that change drop levels for good: every 3 to 4 hours a quarter of the nodes start dropping 3–6× more for
 * one of their series. Labelled for the first hour only; alerts after that hour count as false.
 */
export function anomalyLevelShiftScenario(): LabelledScenario {
  const shifted = new Set<string>();
  return anomalyScenario({
    name: 'anomaly-level-shift',
    description: 'deploys that raise one drop series 3–6× for good on a quarter of the nodes (labelled for an hour)',
    step: atCadence({ every: [3 * 3600, 4 * 3600], first: () => 1800 }, (book) => {
      const now = book.cluster.tickCount;
      const factor = book.rng.range(3, 6);
      const group = book.newGroup();
      for (const node of book.cluster.nodes) {
        if (!book.rng.chance(0.25)) {
          continue;
        }
        const series = book.pickSeries(node, 0);
        // One shift per series: shifts stacked on one series would take it far above its peers, another anomaly.
        if (!series || shifted.has(`${node.name}|${series.direction}|${series.reason}`)) {
          continue;
        }
        shifted.add(`${node.name}|${series.direction}|${series.reason}`);
        book.addEffect(node.name, {
          direction: series.direction,
          reason: series.reason,
          fromTick: now,
          toTick: Infinity,
          at: () => factor,
        });
        book.label({
          kind: 'level-shift',
          node: node.name,
          ...series,
          factor,
          startTick: now,
          dueTick: now,
          endTick: now + book.ticks(LABELLED_SECONDS),
          group,
        });
        book.touch(node.name);
      }
    }),
  });
}
