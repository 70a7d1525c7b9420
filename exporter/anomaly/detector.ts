/**
 * Drop anomaly detection per node × direction × reason on the drop rate (packets/s) at each scrape.
 *
 * Why an EWMA mean with a long-memory variance and not median/MAD: Cilium drop series are mostly zero with rare,
 * heavy bursts. Over any window the median and the MAD of such a series are 0, so a median/MAD band collapses to
 * its absolute floor and every burst above the floor alerts (bench/anomaly-eval.js: thousands of false alerts per
 * 100 node-days, against a few here). The variance, learnt from the bursts themselves over a day, tells a bursty
 * series (band high) from a quiet one (band at the floor); the mean follows level shifts and daily cycles within
 * `window`. A variance floor (the Poisson noise of a steady rate over the interval) keeps a steady series' band off
 * its baseline.
 *
 * Per series and scrape:
 *   own band   = max(mean + k·σ, mean·(1 + margin)),  σ = max(√variance, √(mean / interval))
 *   band       = max(own band, peer band, minRate)
 *   upper band = min(band, peer limit)   (exposed as the band; the score is rate / upper band)
 * with, for each direction × reason that at least peerMinNodes warm nodes report (the peer comparison):
 *   peer band  = the median own band of those nodes: a rate within the band that is typical for this reason in the
 *                cluster is not anomalous, which keeps a node with a short or unusually quiet history from alerting
 *                on an ordinary burst;
 *   peer limit = peerFactor × max(median baseline of those nodes, minRate), once the node's own baseline is more
 *                than minRate above the peers' median baseline: a node far above its peers is anomalous even when
 *                its own history has absorbed the change (gradual ramps, long-standing problems), while two
 *                ordinary bursts in a row on a node with a typical baseline are not.
 *
 * An interval counts when the rate is above the band with (rate − mean) × interval ≥ minIncrease packets, or above
 * the (applicable) peer limit with (rate − peer baseline) × interval ≥ minIncrease. The score is
 * rate / upper band (≥ 1) once confirmScrapes consecutive intervals count, else 0: one burst never alerts. The
 * first interval of such a run may clear the band with its floors scaled by leadFloor, since an anomaly that began
 * late in an interval shows only partly in it.
 *
 * Learning is one scrape late, so that an interval is learnt knowing whether it was part of an anomaly. Ordinary
 * intervals, bursts included, are learnt as they were. An anomaly's intervals (with the one that led into it and
 * the one right after it) are not learnt during the anomaly's first quarter window, so a spike leaves the baseline
 * and spread as they were. Past that, an anomaly may be the new normal: the baseline learns it as it is (a level
 * shift stops alerting a few minutes later), the spread only up to the upper band (a level shift must not make the
 * series look bursty for a day). An interval in which the agent restarted is neither scored nor learnt; nodes
 * without fresh rates are not updated at all.
 */
import { grown } from './grown';
import type { AnomalyParams } from './params';
import {
  FLAG_PENDING_AFTER_ANOMALY,
  FLAG_PENDING_ANOMALOUS,
  FLAG_PENDING_HELD,
  FLAG_PREV_LEAD,
  FLAG_RUN_LED,
  type NodeEntry,
  SeriesTable,
} from './table';

export interface DropRateInput {
  direction: string;
  reason: string;
  packetsPerSecond: number;
}

export interface NodeObservation {
  /** Seconds between the two samples the rates come from. */
  intervalSeconds: number;
  /** The agent restarted between them (or a counter went down). */
  restarted: boolean;
  drops: readonly DropRateInput[];
}

export interface AnomalyRow {
  node: string;
  direction: string;
  reason: string;
  rate: number;
  baseline: number;
  upperBand: number;
  score: number;
  warmingUp: boolean;
}

/** Every this many cycles, series not observed for a spread window are forgotten. */
const PRUNE_EVERY_CYCLES = 100;

export class DropAnomalyDetector {
  readonly table: SeriesTable;
  private cycle = 0;
  private cycleAtMs = 0;
  /** Slots observed in the current (or last completed) cycle, with their node's interval and restart flag. */
  private observedSlots = new Int32Array(256);
  private observedCount = 0;
  private observedInterval = new Float32Array(256);
  private observedRestart = new Uint8Array(256);
  /** The slot was also observed in the cycle before (its previous interval is the one just before). */
  private observedConsecutive = new Uint8Array(256);
  /** max(mean + k·σ, mean·(1 + margin)) of each observed series: its own band before the floor. */
  private ownCore = new Float32Array(256);
  /** Per direction × reason id, when enough warm nodes report it: [median own band before the floor, median baseline]. */
  private readonly peers = new Map<number, [number, number]>();
  /** Series refused because the table is full, since start. */
  refusedSeries = 0;

  constructor(readonly params: AnomalyParams) {
    this.table = new SeriesTable(params.maxSeries);
  }

  beginCycle(atMs: number): void {
    this.cycle++;
    this.cycleAtMs = atMs;
    this.observedCount = 0;
  }

  /** Rates of one node that has fresh ones this cycle. */
  observe(nodeName: string, observation: NodeObservation): void {
    const t = this.table;
    const node = t.node(nodeName) ?? t.addNode(nodeName, this.cycleAtMs);
    node.lastCycle = this.cycle;
    node.observations = Math.min(0xffffff, node.observations + 1);
    for (const d of observation.drops) {
      if (!Number.isFinite(d.packetsPerSecond) || d.packetsPerSecond < 0) {
        continue;
      }
      const pair = t.pairId(d.direction, d.reason);
      let slot = t.slotOf(node, pair);
      if (slot < 0) {
        slot = t.allocate(node, pair);
        if (slot < 0) {
          this.refusedSeries++;
          continue;
        }
        // Cilium creates a drop series at its first drop: until then the rate was 0 for as long as the node was
        // watched, which the new series starts from (so its first burst does not become its baseline).
        t.count[slot] = node.observations - 1;
      }
      if (t.lastCycle[slot] === this.cycle) {
        continue;
      }
      t.rate[slot] = d.packetsPerSecond;
      this.pushObserved(slot, observation.intervalSeconds, observation.restarted);
    }
  }

  /** Scores and learns every series observed this cycle; forgets nodes not in `liveNodes` when given. */
  endCycle(liveNodes?: ReadonlySet<string>): void {
    const t = this.table;
    const p = this.params;
    for (let i = 0; i < this.observedCount; i++) {
      const s = this.observedSlots[i];
      const mean = t.mean[s];
      const sigma = Math.max(Math.sqrt(t.variance[s]), Math.sqrt(mean / this.observedInterval[i]));
      this.ownCore[i] = Math.max(mean + p.k * sigma, mean * (1 + p.margin));
    }
    this.computePeerBands();
    for (let i = 0; i < this.observedCount; i++) {
      this.score(i);
    }
    if (liveNodes) {
      for (const node of [...t.nodes()]) {
        if (!liveNodes.has(node.name)) {
          t.removeNode(node);
        }
      }
    }
    if (this.cycle % PRUNE_EVERY_CYCLES === 0) {
      this.prune();
    }
  }

  isWarm(node: NodeEntry, nowMs = this.cycleAtMs): boolean {
    return nowMs - node.firstSeenMs >= this.params.warmupMs;
  }

  /** The latest values of every series its node reported at the node's last observation. */
  rows(includeNode: (node: string) => boolean = () => true): AnomalyRow[] {
    const t = this.table;
    const out: AnomalyRow[] = [];
    this.forEachLatest((slot, node) => {
      if (!includeNode(node.name)) {
        return;
      }
      out.push({
        node: node.name,
        direction: t.pairDirection[t.keyId[slot]],
        reason: t.pairReason[t.keyId[slot]],
        rate: t.rate[slot],
        baseline: t.baseline[slot],
        upperBand: t.band[slot],
        score: t.score[slot],
        warmingUp: !this.isWarm(node),
      });
    });
    return out;
  }

  /** Calls fn for every series observed in the last cycle. */
  forEachCurrent(fn: (slot: number, node: NodeEntry) => void): void {
    const t = this.table;
    for (let i = 0; i < this.observedCount; i++) {
      const s = this.observedSlots[i];
      const node = t.nodeById(t.nodeId[s]);
      if (node && t.lastCycle[s] === this.cycle) {
        fn(s, node);
      }
    }
  }

  /**
   * Calls fn for every series in its node's latest observation (a node without fresh rates keeps its last values;
   * a series its node stopped reporting, after an agent restart, is left out).
   */
  forEachLatest(fn: (slot: number, node: NodeEntry) => void): void {
    const t = this.table;
    for (let s = 0; s < t.end; s++) {
      if (!t.live(s)) {
        continue;
      }
      const node = t.nodeById(t.nodeId[s]);
      if (node && node.lastCycle > 0 && t.lastCycle[s] === node.lastCycle) {
        fn(s, node);
      }
    }
  }

  cycles(): number {
    return this.cycle;
  }

  private pushObserved(slot: number, intervalSeconds: number, restarted: boolean): void {
    if (this.observedCount === this.observedSlots.length) {
      const n = this.observedSlots.length * 2;
      this.observedSlots = grown(this.observedSlots, n);
      this.observedInterval = grown(this.observedInterval, n);
      this.observedRestart = grown(this.observedRestart, n);
      this.observedConsecutive = grown(this.observedConsecutive, n);
      this.ownCore = new Float32Array(n);
    }
    const t = this.table;
    const i = this.observedCount++;
    this.observedSlots[i] = slot;
    this.observedInterval[i] = intervalSeconds > 0 ? intervalSeconds : 1;
    this.observedRestart[i] = restarted ? 1 : 0;
    this.observedConsecutive[i] = t.lastCycle[slot] > 0 && t.lastCycle[slot] === this.cycle - 1 ? 1 : 0;
    t.lastCycle[slot] = this.cycle;
    t.lastSeen[slot] = Math.floor(this.cycleAtMs / 1000);
  }

  /** Median own band and median baseline per direction × reason over warm nodes, where enough nodes report it. */
  private computePeerBands(): void {
    this.peers.clear();
    if (this.params.peerMinNodes <= 0) {
      return;
    }
    const t = this.table;
    const byPair = new Map<number, { bands: number[]; means: number[] }>();
    for (let i = 0; i < this.observedCount; i++) {
      const s = this.observedSlots[i];
      const node = t.nodeById(t.nodeId[s]);
      if (!node || !this.isWarm(node) || this.observedRestart[i] || t.count[s] === 0) {
        continue;
      }
      let lists = byPair.get(t.keyId[s]);
      if (!lists) {
        lists = { bands: [], means: [] };
        byPair.set(t.keyId[s], lists);
      }
      lists.bands.push(this.ownCore[i]);
      lists.means.push(t.mean[s]);
    }
    for (const [pair, { bands, means }] of byPair) {
      if (bands.length >= this.params.peerMinNodes) {
        this.peers.set(pair, [median(bands), median(means)]);
      }
    }
  }

  private score(i: number): void {
    const t = this.table;
    const p = this.params;
    const s = this.observedSlots[i];
    const interval = this.observedInterval[i];
    const consecutive = this.observedConsecutive[i] === 1;
    const node = t.nodeById(t.nodeId[s])!;
    const mean = t.mean[s];
    const peer = this.peers.get(t.keyId[s]);
    const core = peer ? Math.max(this.ownCore[i], peer[0]) : this.ownCore[i];
    const band = Math.max(core, p.minRate);
    // The peer limit applies once the node's own baseline has left its peers' (by more than minRate), so that two
    // ordinary bursts in a row on a node with a typical baseline do not count.
    const peerLimit = peer && mean > peer[1] + p.minRate ? p.peerFactor * Math.max(peer[1], p.minRate) : Infinity;
    const upper = Math.min(band, peerLimit);
    const rate = t.rate[s];
    t.baseline[s] = mean;
    t.band[s] = upper;
    if (this.observedRestart[i]) {
      // The first interval after an agent restart: counters started again, the rate is not to be trusted.
      t.streak[s] = 0;
      t.pending[s] = NaN;
      t.flags[s] = 0;
      t.score[s] = 0;
      return;
    }
    const aboveBand = rate > band && (rate - mean) * interval >= p.minIncrease;
    const abovePeers = peer !== undefined && rate > peerLimit && (rate - peer[1]) * interval >= p.minIncrease;
    const above = aboveBand || abovePeers;
    // The interval that opens a run may be a partial one (the anomaly began late in it): it only has to clear the
    // band with a lower floor (leadFloor × minRate, leadFloor × minIncrease).
    const leadBand = Math.max(core, p.leadFloor * p.minRate);
    const lead = above || (rate > leadBand && (rate - mean) * interval >= p.leadFloor * p.minIncrease);
    const flags = t.flags[s];
    let runLed = (flags & FLAG_RUN_LED) !== 0;
    if (!above) {
      t.streak[s] = 0;
      runLed = false;
    } else if (consecutive && t.streak[s] > 0) {
      t.streak[s] = Math.min(255, t.streak[s] + 1);
    } else {
      t.streak[s] = 1;
      runLed = consecutive && (flags & FLAG_PREV_LEAD) !== 0;
    }
    const confirmed = t.streak[s] >= p.confirmScrapes || (runLed && t.streak[s] >= p.confirmScrapes - 1);
    const anomalous = this.isWarm(node) && above && confirmed;
    // Learning the previous interval. An anomaly's intervals (with the one that led into it and the one right
    // after it, which may hold its tail) are not learnt during its first quarter window: a spike leaves the
    // baseline and spread as they were. The anomaly's age is its heat, so an anomaly that flaps around its band
    // ages as well.
    t.heat[s] = anomalous ? Math.min(0xffff, t.heat[s] + 4) : Math.max(0, t.heat[s] - 1);
    const held = anomalous && t.heat[s] <= 4 * Math.max(1, Math.round(p.windowMs / 4000 / interval));
    const pending = t.pending[s];
    if (!Number.isNaN(pending)) {
      const leadIn = anomalous && consecutive && (flags & FLAG_PENDING_ANOMALOUS) === 0;
      if ((flags & FLAG_PENDING_HELD) === 0 && !(leadIn && held)) {
        const partOfAnomaly = (flags & (FLAG_PENDING_ANOMALOUS | FLAG_PENDING_AFTER_ANOMALY)) !== 0 || leadIn;
        // Past its first quarter window an anomaly may be the new normal: the baseline learns it as it is, the
        // spread only up to the band (a level shift moves the baseline; it does not make the series look bursty).
        this.learn(s, pending, partOfAnomaly ? Math.min(pending, upper) : pending, interval);
      }
    }
    t.pending[s] = rate;
    // The first interval after an anomaly ended (it may hold the anomaly's tail).
    const after = !anomalous && consecutive && (flags & FLAG_PENDING_ANOMALOUS) !== 0;
    const heldNext = held || (after && (flags & FLAG_PENDING_HELD) !== 0);
    t.flags[s] =
      (anomalous ? FLAG_PENDING_ANOMALOUS : 0) |
      (after ? FLAG_PENDING_AFTER_ANOMALY : 0) |
      (heldNext ? FLAG_PENDING_HELD : 0) |
      (lead ? FLAG_PREV_LEAD : 0) |
      (runLed ? FLAG_RUN_LED : 0);
    t.score[s] = anomalous ? rate / upper : 0;
  }

  /** One exponentially weighted update; the first updates are plain averages, so early estimates are unbiased. */
  private learn(s: number, forMean: number, forSpread: number, intervalSeconds: number): void {
    const t = this.table;
    const n = Math.min(0xffffffff, t.count[s] + 1);
    const a = Math.max(spanWeight(this.params.windowMs, intervalSeconds), 1 / n);
    const b = Math.max(spanWeight(this.params.spreadWindowMs, intervalSeconds), 1 / n);
    const d = forSpread - t.mean[s];
    t.variance[s] = (1 - b) * (t.variance[s] + b * d * d);
    t.mean[s] += a * (forMean - t.mean[s]);
    t.count[s] = n;
  }

  private prune(): void {
    const t = this.table;
    const oldest = Math.floor((this.cycleAtMs - this.params.spreadWindowMs) / 1000);
    for (let s = 0; s < t.end; s++) {
      if (t.live(s) && t.lastSeen[s] < oldest) {
        t.release(s);
      }
    }
  }

  /** Restores one series (from a snapshot); returns false when the table is full. */
  restoreSeries(
    nodeName: string,
    firstSeenMs: number,
    direction: string,
    reason: string,
    state: { mean: number; variance: number; count: number; lastSeen: number }
  ): boolean {
    const t = this.table;
    const node = t.node(nodeName) ?? t.addNode(nodeName, firstSeenMs);
    node.firstSeenMs = Math.min(node.firstSeenMs, firstSeenMs);
    const pair = t.pairId(direction, reason);
    const slot = t.slotOf(node, pair) >= 0 ? t.slotOf(node, pair) : t.allocate(node, pair);
    if (slot < 0) {
      return false;
    }
    t.mean[slot] = state.mean;
    t.variance[slot] = state.variance;
    t.count[slot] = state.count;
    t.lastSeen[slot] = state.lastSeen;
    t.baseline[slot] = state.mean;
    return true;
  }

  /** Restores a node's warm-up start (from a snapshot) even when it has no series yet. */
  restoreNode(nodeName: string, firstSeenMs: number): void {
    const node = this.table.node(nodeName) ?? this.table.addNode(nodeName, firstSeenMs);
    node.firstSeenMs = Math.min(node.firstSeenMs, firstSeenMs);
  }
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

/** Weight of one new point in an exponentially weighted mean whose span is `spanMs` (span N: 2 / (N + 1)). */
export function spanWeight(spanMs: number, intervalSeconds: number): number {
  const n = spanMs / 1000 / intervalSeconds;
  return n <= 1 ? 1 : 2 / (n + 1);
}
