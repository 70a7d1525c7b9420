import { anomalyScenario, type LabelledScenario } from './anomaly-labels';

/**
 * Agent restarts: every 5 to 15 minutes a node's agent restarts (its counters start again from zero and the drop
 * series vanish until the next drop). Nothing is labelled: any alert around a restart is a false one.
 */
export function anomalyResetsScenario(): LabelledScenario {
  let nextTick = -1;
  return anomalyScenario({
    name: 'anomaly-resets',
    description: 'agent restarts (counter resets) on random nodes every 5–15 minutes, no anomalies',
    step(book) {
      const now = book.cluster.tickCount;
      if (nextTick >= 0 && now < nextTick) {
        return;
      }
      const first = nextTick < 0;
      nextTick = now + book.ticks(book.rng.range(300, 900));
      if (first) {
        return;
      }
      const node = book.pickRestedNode(3600);
      if (node) {
        book.restart(node.name);
      }
    },
  });
}
