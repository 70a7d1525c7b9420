import { anomalyScenario, atCadence, type LabelledScenario } from './anomaly-labels';

/**
 * Agent restarts: every 5 to 15 minutes a node's agent restarts (its counters start again from zero and the drop
 * series vanish until the next drop). Nothing is labelled: any alert around a restart is a false one.
 */
export function anomalyResetsScenario(): LabelledScenario {
  return anomalyScenario({
    name: 'anomaly-resets',
    description: 'agent restarts (counter resets) on random nodes every 5–15 minutes, no anomalies',
    step: atCadence({ every: [300, 900] }, (book) => {
      const node = book.pickRestedNode(3600);
      if (node) {
        book.restart(node.name);
      }
    }),
  });
}
