/**
 * A node's endpoint regeneration-time histogram (the agent's cumulative buckets, passed through by the exporter):
 * each step's regenerations spread over the buckets by a log-normal duration whose median slows down now and then.
 * Expected shares per bucket, rounded, so the buckets stay cumulative and +Inf equals the count.
 */

/** A bucket's `le` as a number ("+Inf", which Number() does not read, included). */
export function parseBound(le: string): number {
  return le === '+Inf' ? Infinity : Number(le);
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26), for the share of regenerations under a bucket bound. */
function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

const SIGMA = 0.9;

export class RegenerationHistogram {
  buckets: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: number[]) {
    this.buckets = bounds.map(() => 0);
  }

  observe(n: number, medianSeconds: number): void {
    if (n === 0) {
      return;
    }
    for (let i = 0; i < this.bounds.length; i++) {
      const le = this.bounds[i];
      this.buckets[i] +=
        le === Infinity ? n : Math.round(n * normalCdf((Math.log(le) - Math.log(medianSeconds)) / SIGMA));
    }
    this.count += n;
    this.sum += n * medianSeconds * Math.exp((SIGMA * SIGMA) / 2);
  }

  reset(): void {
    this.buckets = this.bounds.map(() => 0);
    this.sum = 0;
    this.count = 0;
  }
}
