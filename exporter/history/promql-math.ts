/**
 * PromQL's arithmetic for the embedded backend, as Prometheus 2.x evaluates it, so both backends give the same
 * numbers from the same samples (checked against promtool in test/unit/history/promtool-agreement.test.ts):
 *
 * - rate/increase over the samples in [start, end] (both ends included, as Prometheus 2.x selects them): the
 *   increase from the first to the last sample, adding the value before every drop (a counter reset), then
 *   extrapolated towards the window's edges: all the way to an edge closer than 1.1 average sample gaps, half a gap
 *   otherwise, and never before the counter's extrapolated zero. Fewer than two samples: no value.
 * - histogram_quantile over cumulative buckets: linear interpolation inside the bucket holding the rank, the lower
 *   bound of +Inf's bucket past the last finite bound, NaN without +Inf or observations.
 */

/**
 * The extrapolated increase (isRate false) or per-second rate (isRate true) of a counter whose samples in the
 * window are times[lo..hi], values[lo..hi] (hi inclusive). NaN with fewer than two samples.
 */
export function extrapolatedRate(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  lo: number,
  hi: number,
  rangeStart: number,
  rangeEnd: number,
  isRate: boolean
): number {
  if (hi - lo < 1) {
    return NaN;
  }
  const first = values[lo];
  let result = values[hi] - first;
  let lastValue = 0;
  for (let i = lo; i <= hi; i++) {
    const v = values[i];
    if (v < lastValue) {
      result += lastValue;
    }
    lastValue = v;
  }
  let durationToStart = (times[lo] - rangeStart) / 1000;
  const durationToEnd = (rangeEnd - times[hi]) / 1000;
  const sampledInterval = (times[hi] - times[lo]) / 1000;
  const averageGap = sampledInterval / (hi - lo);
  if (result > 0 && first >= 0) {
    // A counter is never negative: do not extrapolate to before its zero.
    const durationToZero = sampledInterval * (first / result);
    if (durationToZero < durationToStart) {
      durationToStart = durationToZero;
    }
  }
  const threshold = averageGap * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageGap / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageGap / 2;
  // In Prometheus's order of operations, so the result is the same to the last bit.
  let factor = extrapolateTo / sampledInterval;
  if (isRate) {
    factor /= (rangeEnd - rangeStart) / 1000;
  }
  return result * factor;
}

export interface Bucket {
  /** Upper bound (le); +Inf for the last. */
  le: number;
  /** Cumulative count (or rate) of observations at or below le. */
  count: number;
}

/** A sample value (or an `le` bound) in the text format: shortest round-trip form, NaN, +Inf, -Inf. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '+Inf' : '-Inf';
  }
  return String(value);
}

/** An `le` label value as Prometheus parses it ("+Inf", "0.005", "1e-3"). */
export function parseLe(text: string): number {
  const t = text.trim();
  if (/^\+?inf$/i.test(t)) {
    return Infinity;
  }
  if (/^-inf$/i.test(t)) {
    return -Infinity;
  }
  return t === '' ? NaN : Number(t);
}

/** The q-quantile of cumulative buckets, as histogram_quantile computes it. */
export function bucketQuantile(q: number, input: readonly Bucket[]): number {
  if (Number.isNaN(q)) {
    return NaN;
  }
  if (q < 0) {
    return -Infinity;
  }
  if (q > 1) {
    return Infinity;
  }
  const sorted = [...input].sort((a, b) => a.le - b.le);
  if (sorted.length === 0 || sorted[sorted.length - 1].le !== Infinity) {
    return NaN;
  }
  // Buckets with the same bound are added up; a count lower than the one before is raised to it.
  const buckets: Bucket[] = [];
  for (const b of sorted) {
    const prev = buckets[buckets.length - 1];
    if (prev && prev.le === b.le) {
      prev.count += b.count;
    } else {
      buckets.push({ le: b.le, count: b.count });
    }
  }
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count > max) {
      max = b.count;
    } else {
      b.count = max;
    }
  }
  if (buckets.length < 2) {
    return NaN;
  }
  const observations = buckets[buckets.length - 1].count;
  if (observations === 0 || Number.isNaN(observations)) {
    return NaN;
  }
  let rank = q * observations;
  let b = buckets.length - 1;
  for (let i = 0; i < buckets.length - 1; i++) {
    if (buckets[i].count >= rank) {
      b = i;
      break;
    }
  }
  if (b === buckets.length - 1) {
    return buckets[buckets.length - 2].le;
  }
  if (b === 0 && buckets[0].le <= 0) {
    return buckets[0].le;
  }
  let start = 0;
  let count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].le;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return start + (buckets[b].le - start) * (rank / count);
}

/**
 * The mean of values as avg_over_time computes it: an incremental mean with Kahan-Neumaier compensation (so the
 * same inputs give the same last bit as Prometheus, which decides ties in a ranking).
 */
export function incrementalMean(values: readonly number[]): number {
  let mean = 0;
  let c = 0;
  let count = 0;
  for (const v of values) {
    count++;
    const inc = v / count - mean / count;
    const t = mean + inc;
    c += Math.abs(mean) >= Math.abs(inc) ? mean - t + inc : inc - t + mean;
    mean = t;
  }
  return mean + c;
}
