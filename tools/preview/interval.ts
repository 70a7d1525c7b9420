/**
 * Grafana's interval for a range drawn on `maxDataPoints` points: range / points rounded to a round duration
 * (`rangeUtil.roundInterval` of @grafana/data, whose thresholds these are; test/plugin/grafanaInterval.test.ts checks
 * them against @grafana/data). Written out so the Node side needs no Grafana package at run time.
 */
const S = 1000;

const ROUNDED: ReadonlyArray<[below: number, interval: number]> = [
  [10, 1],
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1500, 1000],
  [3500, 2 * S],
  [7500, 5 * S],
  [12_500, 10 * S],
  [17_500, 15 * S],
  [25_000, 20 * S],
  [45_000, 30 * S],
  [90_000, 60 * S],
  [210_000, 120 * S],
  [450_000, 300 * S],
  [750_000, 600 * S],
  [1_050_000, 900 * S],
  [1_500_000, 1200 * S],
  [2_700_000, 1800 * S],
  [5_400_000, 3600 * S],
  [9_000_000, 7200 * S],
  [16_200_000, 10_800 * S],
  [32_400_000, 21_600 * S],
  [86_400_000, 43_200 * S],
  [604_800_000, 86_400 * S],
  [1_814_400_000, 604_800 * S],
  [3_628_800_000, 2_592_000 * S],
];

export function grafanaIntervalMs(rangeMs: number, maxDataPoints: number): number {
  const raw = rangeMs / maxDataPoints;
  return ROUNDED.find(([below]) => raw < below)?.[1] ?? 31_536_000 * S;
}
