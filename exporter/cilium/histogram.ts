/**
 * Assembling Prometheus histograms from their `_bucket`, `_sum` and `_count` samples, and summing several
 * histograms of one family (e.g. over `status`) into one cumulative histogram.
 */
import type { CumulativeHistogram } from './sample';

/** The samples of one histogram series as a page gave them: bucket counts keyed by the raw `le` text. */
export interface HistogramParts {
  buckets: Map<string, number>;
  sum: number | undefined;
  count: number | undefined;
}

export function emptyHistogramParts(): HistogramParts {
  return { buckets: new Map(), sum: undefined, count: undefined };
}

/** An `le` label as a number: "+Inf" (any case, with or without sign) is Infinity; NaN when unreadable. */
export function parseBound(le: string): number {
  const trimmed = le.trim();
  if (trimmed === '') {
    return Number.NaN;
  }
  const lower = trimmed.toLowerCase();
  if (lower === '+inf' || lower === 'inf') {
    return Number.POSITIVE_INFINITY;
  }
  return Number(trimmed);
}

interface Series {
  bounds: number[];
  counts: number[];
  sum: number;
  count: number;
}

/** One series with numeric bounds in ascending order and a +Inf bucket; null when it has neither +Inf nor a count. */
function toSeries(parts: HistogramParts): Series | null {
  const pairs: Array<[number, number]> = [];
  for (const [le, count] of parts.buckets) {
    const bound = parseBound(le);
    if (!Number.isNaN(bound)) {
      pairs.push([bound, count]);
    }
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const last = pairs[pairs.length - 1];
  const hasInf = last !== undefined && last[0] === Number.POSITIVE_INFINITY;
  let count = parts.count;
  if (!hasInf) {
    if (count === undefined) {
      return null;
    }
    pairs.push([Number.POSITIVE_INFINITY, count]);
  } else if (count === undefined) {
    count = last[1];
  }
  return { bounds: pairs.map((p) => p[0]), counts: pairs.map((p) => p[1]), sum: parts.sum ?? 0, count };
}

/**
 * The sum of several cumulative histograms. Bounds are the union of all bounds; where a series lacks a bound, its
 * cumulative count there is the one at its nearest lower bound (what it is known to have reached).
 * null when no series is usable.
 */
export function sumHistograms(all: Iterable<HistogramParts>): CumulativeHistogram | null {
  const series: Series[] = [];
  for (const parts of all) {
    const one = toSeries(parts);
    if (one !== null) {
      series.push(one);
    }
  }
  if (series.length === 0) {
    return null;
  }
  if (series.length === 1) {
    const only = series[0];
    return { upperBounds: only.bounds, cumulativeCounts: only.counts, sum: only.sum, count: only.count };
  }

  const boundSet = new Set<number>();
  for (const s of series) {
    for (const b of s.bounds) {
      boundSet.add(b);
    }
  }
  const upperBounds = [...boundSet].sort((a, b) => a - b);
  const cumulativeCounts = new Array<number>(upperBounds.length).fill(0);
  let sum = 0;
  let count = 0;
  for (const s of series) {
    let i = -1;
    for (let j = 0; j < upperBounds.length; j++) {
      while (i + 1 < s.bounds.length && s.bounds[i + 1] <= upperBounds[j]) {
        i++;
      }
      if (i >= 0) {
        cumulativeCounts[j] += s.counts[i];
      }
    }
    sum += s.sum;
    count += s.count;
  }
  return { upperBounds, cumulativeCounts, sum, count };
}
