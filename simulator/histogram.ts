/** A Prometheus histogram as an agent accumulates it: per-bucket counts, sum and count. */

/** prometheus.DefBuckets, which Cilium uses for its duration histograms. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram {
  /** Non-cumulative counts; the last slot is the +Inf bucket. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly upperBounds: readonly number[] = DEFAULT_BUCKETS) {
    this.counts = new Array<number>(upperBounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.upperBounds.length && value > this.upperBounds[i]) {
      i++;
    }
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }

  /** Cumulative counts, one per bound plus +Inf, as the text format lists them. */
  cumulative(): number[] {
    const out = new Array<number>(this.counts.length);
    let running = 0;
    for (let i = 0; i < this.counts.length; i++) {
      running += this.counts[i];
      out[i] = running;
    }
    return out;
  }
}
