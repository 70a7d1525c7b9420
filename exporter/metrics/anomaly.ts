/**
 * The drop anomaly detector's families: its scores, bands and baselines per fresh node × direction × reason at the
 * time of the agent sample they were computed from (like the agent's own series), and its own state.
 */
import type { AnomalyMetricsSource } from '../anomaly/attach';
import { type SampleFamily, familiesOf } from './family';

const family = familiesOf<AnomalyMetricsSource>();

/** The label names and fill of a family with one value per fresh scored series. */
const perSeries = (
  pick: (a: AnomalyMetricsSource, series: number) => number
): Pick<SampleFamily<AnomalyMetricsSource, 'node' | 'direction' | 'reason'>, 'labelNames' | 'fill'> => ({
  labelNames: ['node', 'direction', 'reason'],
  fill: (a, emit) => a.forEachFresh((series, labels, at) => emit(labels, pick(a, series), at)),
});

export const ANOMALY_FAMILIES = [
  family({
    name: 'ciliumscope_drop_anomaly_score',
    type: 'gauge',
    help: "Drop anomaly score per node, direction and reason: 0 while the drop rate is normal, 1 or more when it has been above its upper band for --anomaly-confirm consecutive scrapes (the excess over the baseline in units of the band's height above it).",
    ...perSeries((a, s) => a.score(s)),
  }),
  family({
    name: 'ciliumscope_drop_rate_upper_band',
    type: 'gauge',
    help: 'Upper band of the drop rate (packets/s) per node, direction and reason: max(baseline + k·spread, baseline·(1+margin), --anomaly-min-rate, the median band of the other nodes).',
    ...perSeries((a, s) => a.upperBand(s)),
  }),
  family({
    name: 'ciliumscope_drop_rate_baseline',
    type: 'gauge',
    help: 'Learnt normal drop rate (packets/s) per node, direction and reason: an exponentially weighted mean over about --anomaly-window.',
    ...perSeries((a, s) => a.baseline(s)),
  }),
  family({
    name: 'ciliumscope_drop_anomaly_warming_up',
    type: 'gauge',
    help: "1 while the node's drop series are in the anomaly detector's warm-up (--anomaly-warmup): their scores cannot reach 1 yet.",
    labelNames: ['node'],
    fill: (a, emit) => {
      const seen = new Set<string>();
      a.forEachFresh((series, { node }, at) => {
        if (!seen.has(node)) {
          seen.add(node);
          emit({ node }, a.warmingUp(series) ? 1 : 0, at);
        }
      });
    },
  }),
  family({
    name: 'ciliumscope_drop_anomaly_series',
    type: 'gauge',
    help: 'Drop series (node × direction × reason) the anomaly detector keeps state for.',
    labelNames: [],
    fill: (a, emit) => emit({}, a.trackedSeries()),
  }),
  family({
    name: 'ciliumscope_drop_anomaly_refused_series_total',
    type: 'counter',
    help: 'Drop series the anomaly detector refused because it already tracks --anomaly-max-series series.',
    labelNames: [],
    fill: (a, emit) => emit({}, a.refusedSeries()),
  }),
  family({
    name: 'ciliumscope_drop_anomaly_state_saves_total',
    type: 'counter',
    help: 'Successful writes of the anomaly state file (--anomaly-state-file).',
    labelNames: [],
    fill: (a, emit) => emit({}, a.stateSaves()),
  }),
];
