/** A ring's samples as plain arrays, for tests that check what the embedded history holds. */
import { type Labels, type RingHistory, samplesOf } from '../../exporter/history/ring';

export interface PlainSeries {
  labels: Labels;
  times: number[];
  values: number[];
}

export function samples(
  h: RingHistory,
  metric: string,
  match: (l: Labels) => boolean,
  from: number,
  to: number
): PlainSeries[] {
  const { slots, series } = h.select(metric, match, from, to);
  return series.map((s) => ({ labels: s.labels, ...samplesOf(s, slots, from, to) }));
}
