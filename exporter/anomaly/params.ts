/**
 * Settings of the drop anomaly detector and their defaults. The defaults come from bench/anomaly-eval.js on the
 * simulator's labelled scenarios at a 30 s scrape interval; the README's anomaly section explains each one. k = 10
 * because drop rates are heavy-tailed: the 99.9th percentile of a bursty series' rate sits about ten spreads above
 * its mean. With two confirming scrapes, k = 10 gave 1.1 false alerts per 100 node-days, all in the first day after
 * a cold start (while the day-long spread is young), and none after it; k = 8 caught 4% more 5× spikes within two
 * scrapes for two to three times the false alerts.
 */

export interface AnomalyParams {
  /** Span of the baseline (an exponentially weighted mean of the rate): about the last `windowMs` counts. */
  windowMs: number;
  /** Span of the spread (the weighted variance around the baseline): long, so that rare bursts are remembered. */
  spreadWindowMs: number;
  /** A node's series cannot alert until the node has been watched this long (restored state counts). */
  warmupMs: number;
  /** Spreads above the baseline that the upper band sits at. */
  k: number;
  /** Relative margin: the band is at least baseline × (1 + margin). */
  margin: number;
  /** Absolute floor of the band, packets per second. */
  minRate: number;
  /** Packets above the baseline within one scrape interval before that interval can count as anomalous. */
  minIncrease: number;
  /** Consecutive scrapes above the band before the score reaches 1 (1 = at the first scrape). */
  confirmScrapes: number;
  /**
   * The first interval of such a run may clear the band with its floors lowered to leadFloor × minRate and
   * leadFloor × minIncrease: an anomaly that began late in an interval shows only partly in it. 1 = no allowance.
   */
  leadFloor: number;
  /** Nodes reporting a direction × reason before peers are compared; 0 turns the peer comparison off. */
  peerMinNodes: number;
  /** A rate above peerFactor × max(the peers' median baseline, minRate) is anomalous whatever the node's history. */
  peerFactor: number;
  /** Series tracked at most (all nodes together); further series are ignored and counted. */
  maxSeries: number;
}

export interface AnomalyConfig extends AnomalyParams {
  /** Where the detector's state is saved between runs; null keeps it in memory only. */
  stateFile: string | null;
}

export const DEFAULT_ANOMALY_PARAMS: Readonly<AnomalyParams> = {
  windowMs: 3_600_000,
  spreadWindowMs: 86_400_000,
  warmupMs: 3_600_000,
  k: 10,
  margin: 0.5,
  minRate: 1,
  minIncrease: 20,
  confirmScrapes: 2,
  leadFloor: 0.5,
  peerMinNodes: 5,
  peerFactor: 10,
  maxSeries: 1_000_000,
};

export function defaultAnomalyConfig(): AnomalyConfig {
  return { ...DEFAULT_ANOMALY_PARAMS, stateFile: null };
}
