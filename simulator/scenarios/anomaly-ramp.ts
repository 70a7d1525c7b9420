import { RAMP_DUE_FACTOR, anomalyScenario, atCadence, type LabelledScenario } from './anomaly-labels';

/**
 * Gradual ramps: on one node and series at a time, the drop factor climbs linearly from 1 to 10–30 over 30 to 120
 * minutes, holds for 15 minutes, then falls back. Labelled from the start; an alert is due once the factor reaches 5.
 */
export function anomalyRampScenario(): LabelledScenario {
  return anomalyScenario({
    name: 'anomaly-ramp',
    description: "labelled gradual ramps of one node's drops (to 10–30× over 30–120 minutes, then a 15-minute hold)",
    step: atCadence({ every: [1800, 3600] }, (book) => {
      const now = book.cluster.tickCount;
      const node = book.pickRestedNode(4 * 3600);
      const series = node && book.pickSeries(node, 0);
      if (!node || !series) {
        return;
      }
      const peak = book.rng.range(10, 30);
      const rampTicks = book.ticks(book.rng.range(1800, 7200));
      const holdTicks = book.ticks(900);
      const at = (tick: number) => 1 + (peak - 1) * Math.min(1, (tick - now) / rampTicks);
      book.addEffect(node.name, {
        direction: series.direction,
        reason: series.reason,
        fromTick: now,
        toTick: now + rampTicks + holdTicks,
        at,
      });
      const dueTick = now + Math.ceil(((RAMP_DUE_FACTOR - 1) / (peak - 1)) * rampTicks);
      book.label({
        kind: 'ramp',
        node: node.name,
        ...series,
        factor: peak,
        startTick: now,
        dueTick,
        endTick: now + rampTicks + holdTicks,
      });
      book.touch(node.name);
    }),
  });
}
