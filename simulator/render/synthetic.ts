/** Plausible values for series the exporter ignores: counters, gauges and latency histograms drawn from a seed. */
import { DEFAULT_BUCKETS } from '../histogram';
import type { Prng } from '../prng';
import { histogramLines, type Labels, sampleLine } from './format';

export interface HistogramShape {
  /** Median observation in seconds (log-normal). */
  median: number;
  sigma: number;
  /** Median number of observations. */
  countMedian: number;
}

export function syntheticHistogram(
  rng: Prng,
  name: string,
  labels: Labels,
  shape: HistogramShape,
  buckets: readonly number[] = DEFAULT_BUCKETS
): string {
  const count = Math.max(1, Math.round(rng.logNormal(shape.countMedian, 1)));
  const median = shape.median * rng.range(0.7, 1.4);
  const cumulative = buckets.map((bound) => Math.round(count * normalCdf(Math.log(bound / median) / shape.sigma)));
  for (let i = 1; i < cumulative.length; i++) {
    cumulative[i] = Math.max(cumulative[i], cumulative[i - 1]);
  }
  const mean = median * Math.exp((shape.sigma * shape.sigma) / 2);
  const sum = Math.round(count * mean * rng.range(0.9, 1.1) * 1e7) / 1e7;
  return histogramLines(name, labels, buckets, cumulative, sum, count);
}

export function syntheticCounter(rng: Prng, name: string, labels: Labels, median: number): string {
  return sampleLine(name, labels, Math.round(rng.logNormal(median, 1.2)));
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 through erf). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Every combination of the given label values, first label varying slowest. */
export function product(
  dimensions: ReadonlyArray<readonly [string, readonly string[]]>
): Array<Array<[string, string]>> {
  let out: Array<Array<[string, string]>> = [[]];
  for (const [name, values] of dimensions) {
    const next: Array<Array<[string, string]>> = [];
    for (const prefix of out) {
      for (const value of values) {
        next.push([...prefix, [name, value]]);
      }
    }
    out = next;
  }
  return out;
}
