/**
 * One drop series of a node (direction × reason): packets in bursts (a compound Poisson process, so most steps add
 * nothing), a spike now and then, and the drop anomaly detector's view of it: a baseline (exponentially weighted
 * mean of the rate over --anomaly-window), a spread (weighted variance over --anomaly-spread-window), the upper band
 * max(baseline + k·spread, baseline·(1 + margin), min rate) and the score, with the detector's default parameters.
 * Learnt from the rate at the backfill's resolution, without the peer comparison (which needs every node at once).
 */
import { DEFAULT_ANOMALY_PARAMS } from '../../exporter/anomaly/params';
import type { Prng } from '../../simulator/prng';

const P = DEFAULT_ANOMALY_PARAMS;

export class DropSeries {
  packets = 0;
  bytes = 0;
  baseline = 0;
  band = P.minRate;
  score = 0;
  private variance = 0;
  /** Bursts per second in the background (one every 9 hours to one every 5 minutes), their median size. */
  private readonly burstRate: number;
  private readonly burstPackets: number;
  private readonly bytesPerPacket: number;
  private spikeRate = 0;
  private spikeLeft = 0;

  constructor(
    readonly direction: string,
    readonly reason: string,
    rng: Prng
  ) {
    this.burstRate = 10 ** rng.range(-4.5, -2.5);
    this.burstPackets = rng.logNormal(30, 0.8);
    this.bytesPerPacket = rng.logNormal(120, 0.5);
  }

  /** A spike of 5 to 60 packets per second for 10 to 90 minutes. */
  startSpike(rng: Prng, resolutionSeconds: number): void {
    this.spikeRate = rng.logNormal(20, 0.7);
    this.spikeLeft = Math.max(1, Math.round(rng.range(600, 5400) / resolutionSeconds));
  }

  /** Adds one step's drops; returns the packets added. */
  advance(rng: Prng, resolutionSeconds: number): number {
    let packets = 0;
    for (let b = rng.poisson(this.burstRate * resolutionSeconds); b > 0; b--) {
      packets += Math.max(1, Math.round(rng.logNormal(this.burstPackets, 1)));
    }
    if (this.spikeLeft > 0) {
      packets += Math.round(this.spikeRate * resolutionSeconds * rng.range(0.8, 1.2));
      this.spikeLeft--;
    }
    this.packets += packets;
    this.bytes += Math.round(packets * this.bytesPerPacket);
    return packets;
  }

  /** Scores the step's increase against the band, then learns from it unless it was anomalous. */
  learn(packets: number, resolutionSeconds: number, alpha: number, spreadAlpha: number): void {
    const rate = packets / resolutionSeconds;
    const band = Math.max(this.baseline + P.k * Math.sqrt(this.variance), this.baseline * (1 + P.margin), P.minRate);
    const anomalous = rate > band && packets - this.baseline * resolutionSeconds >= P.minIncrease;
    this.band = Math.round(band * 1e4) / 1e4;
    this.score = anomalous
      ? Math.round(((rate - this.baseline) / Math.max(band - this.baseline, 1e-9)) * 1e3) / 1e3
      : 0;
    if (!anomalous) {
      const error = rate - this.baseline;
      this.baseline += alpha * error;
      this.variance = (1 - spreadAlpha) * (this.variance + spreadAlpha * error * error);
    }
    this.baseline = Math.round(this.baseline * 1e6) / 1e6;
  }

  resetCounters(): void {
    this.packets = 0;
    this.bytes = 0;
  }
}
