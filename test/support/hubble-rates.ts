/**
 * What a correct exporter's API answers for drops by workload pair, worked out from the simulator's truth at every
 * scrape (one tick apart, the exporter's clock on simulated time). A row's counter (node × pair) is born at its first
 * drop after the exporter's first scrape, which only sets baselines, and from then on holds the truth's increase
 * since that scrape, one sample per scrape; its rate at a point is Prometheus's over the window of 4 scrapes ending
 * there (extrapolated where the row was born inside the window; promql-math.ts, checked against promtool), and no
 * rate with fewer than two samples in the window. Means over the points are what the API ranks by.
 */
import { extrapolatedRate } from '../../exporter/history/promql-math';
import type { SimulatorTruth } from '../../simulator';
import { type PairKey, expectedPairs } from './hubble';

export const WINDOW_TICKS = 4;

export interface RowRates {
  /** node|reason|direction|srcNs|srcWl|dstNs|dstWl */
  key: PairKey;
  /** Per point: the rate, null without one. */
  values: Array<number | null>;
}

/**
 * The rows' rates at the points `ticks` (indices into `truths`, each at least WINDOW_TICKS), from the truth at every
 * scrape (truths[0] is the first scrape's).
 */
export function rowRates(
  truths: readonly SimulatorTruth[],
  nodes: readonly string[],
  ticks: readonly number[]
): RowRates[] {
  const snaps = truths.map((t) => expectedPairs(t, nodes));
  const times = truths.map((t) => t.timeSeconds * 1000);
  const windowMs = times[WINDOW_TICKS] - times[0];
  const keys = new Set(snaps.flatMap((s) => [...s.keys()]));
  const rows: RowRates[] = [];
  for (const key of keys) {
    const counter = snaps.map((s) => (s.get(key) ?? 0) - (snaps[0].get(key) ?? 0));
    const born = counter.findIndex((v, m) => m > 0 && v > 0);
    if (born < 0) {
      continue;
    }
    const values = ticks.map((k) => {
      const lo = Math.max(born, k - WINDOW_TICKS);
      const rate = extrapolatedRate(times, counter, lo, k, times[k] - windowMs, times[k], true);
      return Number.isNaN(rate) ? null : rate;
    });
    rows.push({ key, values });
  }
  return rows;
}

/** Rows summed by a key (null: left out), point by point. */
export function sumRows(
  rows: readonly RowRates[],
  keyOf: (row: PairKey) => string | null
): Map<string, Array<number | null>> {
  const out = new Map<string, Array<number | null>>();
  for (const row of rows) {
    const key = keyOf(row.key);
    if (key === null) {
      continue;
    }
    const sum = out.get(key) ?? row.values.map(() => null);
    row.values.forEach((v, i) => {
      if (v !== null) {
        sum[i] = (sum[i] ?? 0) + v;
      }
    });
    out.set(key, sum);
  }
  return out;
}

/** The mean of the points that have a value (avg_over_time); null without any. */
export function mean(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
}

/** The pair of a row key, less its node: reason|direction|srcNs|srcWl|dstNs|dstWl. */
export function pairOf(row: PairKey): string {
  return row.split('|').slice(1).join('|');
}

export function nodeOf(row: PairKey): string {
  return row.split('|')[0];
}
