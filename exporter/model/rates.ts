/**
 * Per-second rates between two consecutive good samples of one agent, with Prometheus's counter-reset rule (a
 * counter that went down restarted from zero, so its increase is its current value). A series missing from the
 * previous sample counts from zero when the agent process is the same one: Cilium creates drop and regeneration
 * series lazily, at the first event.
 */
import type { AgentSample, CumulativeHistogram } from '../cilium/sample';

export interface TrafficRate {
  direction: string;
  packetsPerSecond: number;
  bytesPerSecond: number | null;
}

export interface DropRate extends TrafficRate {
  reason: string;
}

export interface AgentRates {
  intervalSeconds: number;
  /** The agent restarted between the two samples (process start time changed, or counters went down). */
  restarted: boolean;
  forwarded: TrafficRate[];
  dropped: DropRate[];
  regenerations: Record<string, number>;
  /** Increase per second of each cumulative bucket of the regeneration-time histogram, by upper bound. */
  regenerationBuckets: Array<{ le: number; perSecond: number }>;
  policyImportErrors: number | null;
  /** Policy import failures between the two samples (an absolute count, for annotations and alerts). */
  policyImportErrorsIncrease: number | null;
}

export function counterIncrease(previous: number | undefined, current: number, sameProcess: boolean): number {
  if (previous === undefined) {
    return sameProcess ? current : 0;
  }
  return current >= previous ? current - previous : current;
}

export function deriveRates(prev: AgentSample, cur: AgentSample, intervalSeconds: number): AgentRates {
  const restartedByStartTime =
    prev.processStartTimeSeconds !== null &&
    cur.processStartTimeSeconds !== null &&
    cur.processStartTimeSeconds !== prev.processStartTimeSeconds;
  const sameProcess = !restartedByStartTime;
  const per = (increase: number) => increase / intervalSeconds;
  let wentDown = false;
  const inc = (p: number | undefined, c: number) => {
    if (p !== undefined && c < p) {
      wentDown = true;
    }
    return counterIncrease(p, c, sameProcess);
  };

  const prevForward = new Map(prev.forwarded.map((f) => [f.direction, f]));
  const forwarded = cur.forwarded.map((f) => {
    const p = prevForward.get(f.direction);
    return {
      direction: f.direction,
      packetsPerSecond: per(inc(p?.packets, f.packets)),
      bytesPerSecond: f.bytes === null ? null : per(inc(p?.bytes ?? undefined, f.bytes)),
    };
  });

  const prevDrops = new Map(prev.dropped.map((d) => [d.direction + '\u0000' + d.reason, d]));
  const dropped = cur.dropped.map((d) => {
    const p = prevDrops.get(d.direction + '\u0000' + d.reason);
    return {
      direction: d.direction,
      reason: d.reason,
      packetsPerSecond: per(inc(p?.packets, d.packets)),
      bytesPerSecond: d.bytes === null ? null : per(inc(p?.bytes ?? undefined, d.bytes)),
    };
  });

  const regenerations: Record<string, number> = {};
  for (const [outcome, value] of Object.entries(cur.regenerations)) {
    regenerations[outcome] = per(inc(prev.regenerations[outcome], value));
  }

  const regenerationBuckets = histogramBucketRates(prev.regenerationTime, cur.regenerationTime, sameProcess, per);

  let policyImportErrorsIncrease: number | null = null;
  if (cur.policyImportErrors !== null) {
    policyImportErrorsIncrease = inc(prev.policyImportErrors ?? undefined, cur.policyImportErrors);
  }

  return {
    intervalSeconds,
    restarted: restartedByStartTime || wentDown,
    forwarded,
    dropped,
    regenerations,
    regenerationBuckets,
    policyImportErrors: policyImportErrorsIncrease === null ? null : per(policyImportErrorsIncrease),
    policyImportErrorsIncrease,
  };
}

function histogramBucketRates(
  prev: CumulativeHistogram | null,
  cur: CumulativeHistogram | null,
  sameProcess: boolean,
  per: (n: number) => number
): Array<{ le: number; perSecond: number }> {
  if (!cur) {
    return [];
  }
  const prevByLe = new Map<number, number>();
  prev?.upperBounds.forEach((le, i) => prevByLe.set(le, prev.cumulativeCounts[i]));
  // A histogram whose total count went down was reset as a whole: take every bucket from zero.
  const reset = prev !== null && cur.count < prev.count;
  return cur.upperBounds.map((le, i) => {
    const c = cur.cumulativeCounts[i];
    const p = reset ? undefined : prevByLe.get(le);
    return { le, perSecond: per(reset ? c : counterIncrease(p, c, sameProcess)) };
  });
}

/**
 * The q-quantile of a histogram given as cumulative bucket counts (ascending upper bounds, last +Inf), with
 * linear interpolation inside the bucket, as Prometheus's histogram_quantile does. NaN when empty.
 */
export function histogramQuantile(q: number, buckets: Array<{ le: number; count: number }>): number {
  if (buckets.length === 0) {
    return NaN;
  }
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted[sorted.length - 1].count;
  if (!(total > 0)) {
    return NaN;
  }
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (b.le === Infinity) {
        // Prometheus returns the upper bound of the last finite bucket here.
        return lowerBound;
      }
      const inBucket = b.count - lowerCount;
      if (inBucket <= 0) {
        return b.le;
      }
      return lowerBound + (b.le - lowerBound) * ((rank - lowerCount) / inBucket);
    }
    lowerBound = b.le;
    lowerCount = b.count;
  }
  return lowerBound;
}
