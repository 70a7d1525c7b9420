/** The drop anomaly detector on hand-made rate series, one scrape every 30 s. */
import { DropAnomalyDetector } from '../../../exporter/anomaly/detector';
import { type AnomalyParams, DEFAULT_ANOMALY_PARAMS } from '../../../exporter/anomaly/params';
import { BYTES_PER_SLOT } from '../../../exporter/anomaly/table';

const INTERVAL_S = 30;
const T0 = Date.UTC(2026, 0, 1);

type Drops = Record<string, number>;

/** Drives a detector scrape by scrape; series are named "DIRECTION/reason". */
class Driver {
  readonly detector: DropAnomalyDetector;
  private scrape = 0;

  constructor(params: Partial<AnomalyParams> = {}) {
    this.detector = new DropAnomalyDetector({ ...DEFAULT_ANOMALY_PARAMS, warmupMs: 10 * 60_000, ...params });
  }

  get now(): number {
    return T0 + this.scrape * INTERVAL_S * 1000;
  }

  /** One scrape cycle: each node's drop rates (packets/s); `restarted` marks nodes whose agent restarted. */
  cycle(nodes: Record<string, Drops>, restarted: string[] = []): void {
    this.scrape++;
    this.detector.beginCycle(this.now);
    for (const [node, drops] of Object.entries(nodes)) {
      this.detector.observe(node, {
        intervalSeconds: INTERVAL_S,
        restarted: restarted.includes(node),
        drops: Object.entries(drops).map(([series, rate]) => {
          const [direction, reason] = series.split('/');
          return { direction, reason, packetsPerSecond: rate };
        }),
      });
    }
    this.detector.endCycle();
  }

  /** n cycles of one node's series from a generator of the scrape index. */
  run(n: number, node: string, series: string, rate: (i: number) => number): void {
    for (let i = 0; i < n; i++) {
      this.cycle({ [node]: { [series]: rate(i) } });
    }
  }

  row(node: string, series: string) {
    const [direction, reason] = series.split('/');
    const row = this.detector.rows().find((r) => r.node === node && r.direction === direction && r.reason === reason);
    if (!row) {
      throw new Error(`no row for ${node} ${series}`);
    }
    return row;
  }

  score(node: string, series: string): number {
    return this.row(node, series).score;
  }
}

/** A deterministic stream in [0, 1) (a small LCG), so the "noise" in these tests is fixed. */
function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

const PD = 'INGRESS/Policy denied';

describe('drop anomaly detector', () => {
  test('an all-zero series stays at score 0 with the band at the floor', () => {
    const d = new Driver();
    d.run(200, 'n1', PD, () => 0);
    expect(d.row('n1', PD)).toMatchObject({
      rate: 0,
      baseline: 0,
      upperBand: DEFAULT_ANOMALY_PARAMS.minRate,
      score: 0,
      warmingUp: false,
    });
  });

  test('a single burst in a quiet series does not alert: one interval is not confirmed', () => {
    const d = new Driver();
    d.run(200, 'n1', PD, () => 0);
    d.run(1, 'n1', PD, () => 50);
    expect(d.score('n1', PD)).toBe(0);
    d.run(1, 'n1', PD, () => 0);
    expect(d.score('n1', PD)).toBe(0);
    // Learning is one scrape late; the burst was learnt as background (it was not part of an anomaly), so the band
    // rose above the floor.
    d.run(1, 'n1', PD, () => 0);
    expect(d.row('n1', PD).upperBand).toBeGreaterThan(DEFAULT_ANOMALY_PARAMS.minRate);
  });

  test('the same burst confirmed on the next scrape alerts at the second scrape', () => {
    const d = new Driver();
    d.run(200, 'n1', PD, () => 0);
    d.run(1, 'n1', PD, () => 50);
    d.run(1, 'n1', PD, () => 40);
    expect(d.score('n1', PD)).toBeGreaterThanOrEqual(1);
  });

  test('a steady non-zero rate with Poisson-like noise gets a band above its baseline and never alerts', () => {
    const d = new Driver({ warmupMs: 30 * 60_000 });
    const rnd = stream(7);
    let maxScore = 0;
    for (let i = 0; i < 2000; i++) {
      d.run(1, 'n1', PD, () => 50 + 3 * (rnd() + rnd() + rnd() - 1.5));
      maxScore = Math.max(maxScore, d.score('n1', PD));
    }
    expect(d.row('n1', PD).warmingUp).toBe(false);
    const row = d.row('n1', PD);
    expect(maxScore).toBe(0);
    expect(row.baseline).toBeGreaterThan(48);
    expect(row.baseline).toBeLessThan(52);
    // The variance floor (Poisson noise of 50 packets/s over 30 s) keeps the band clear of the baseline.
    expect(row.upperBand).toBeGreaterThan(row.baseline * 1.4);
  });

  test('a 5× spike on a steady series alerts within two scrapes and stops when it ends', () => {
    const d = new Driver();
    d.run(500, 'n1', PD, () => 10);
    d.run(1, 'n1', PD, () => 50);
    expect(d.score('n1', PD)).toBe(0);
    d.run(1, 'n1', PD, () => 50);
    const row = d.row('n1', PD);
    expect(row.score).toBeGreaterThanOrEqual(1);
    expect(row.score).toBeCloseTo(50 / row.upperBand, 5);
    expect(row.baseline).toBeCloseTo(10, 0);
    d.run(8, 'n1', PD, () => 50);
    expect(d.score('n1', PD)).toBeGreaterThanOrEqual(1);
    d.run(1, 'n1', PD, () => 10);
    expect(d.score('n1', PD)).toBe(0);
  });

  test('a 20× spike on a mostly-zero bursty series alerts within two scrapes', () => {
    const d = new Driver();
    const rnd = stream(3);
    // Bursts of a few packets in about one interval out of two: mean ≈ 0.25 packets/s.
    d.run(2000, 'n1', PD, () => (rnd() < 0.5 ? rnd() * 1 : 0));
    const before = d.row('n1', PD);
    expect(before.score).toBe(0);
    d.run(2, 'n1', PD, () => before.baseline + 19);
    expect(d.score('n1', PD)).toBeGreaterThanOrEqual(1);
  });

  test('a spike shorter than a quarter window is not learnt: baseline and band are as before it', () => {
    const d = new Driver();
    d.run(500, 'n1', PD, () => 10);
    const before = d.row('n1', PD);
    for (let i = 0; i < 20; i++) {
      d.run(1, 'n1', PD, () => 200);
      if (i >= 1) {
        expect(d.score('n1', PD)).toBeGreaterThanOrEqual(1);
      }
    }
    d.run(3, 'n1', PD, () => 10);
    const after = d.row('n1', PD);
    // Learnt as it was, 20 intervals at 200 would have lifted the baseline to about 63 and the band far above 200.
    expect(after.baseline).toBeCloseTo(before.baseline, 1);
    expect(after.upperBand).toBeCloseTo(before.upperBand, 1);
    expect(after.score).toBe(0);
  });

  test('a level shift alerts, then becomes the new normal within the window', () => {
    const d = new Driver({ windowMs: 30 * 60_000 });
    d.run(500, 'n1', PD, () => 10);
    d.run(2, 'n1', PD, () => 40);
    expect(d.score('n1', PD)).toBeGreaterThanOrEqual(1);
    let lastAlert = 0;
    for (let i = 0; i < 400; i++) {
      d.run(1, 'n1', PD, () => 40);
      if (d.score('n1', PD) >= 1) {
        lastAlert = i;
      }
    }
    expect(d.score('n1', PD)).toBe(0);
    expect(d.row('n1', PD).baseline).toBeGreaterThan(30);
    // Held for a quarter window (15 scrapes), then learnt: quiet again within the window (60 scrapes).
    expect(lastAlert).toBeGreaterThanOrEqual(13);
    expect(lastAlert).toBeLessThan(60);
  });

  test('an agent restart does not alert, not even with a huge first rate, and that interval is not learnt', () => {
    const d = new Driver();
    d.run(300, 'n1', PD, () => 2);
    const before = d.row('n1', PD);
    for (let i = 0; i < 3; i++) {
      d.cycle({ n1: { [PD]: 5000 } }, ['n1']);
      expect(d.score('n1', PD)).toBe(0);
    }
    d.run(1, 'n1', PD, () => 2);
    d.run(1, 'n1', PD, () => 2);
    expect(d.score('n1', PD)).toBe(0);
    expect(d.row('n1', PD).baseline).toBeCloseTo(before.baseline, 3);
  });

  test('a spike whose first interval is the restart one needs two clean intervals', () => {
    const d = new Driver();
    d.run(300, 'n1', PD, () => 0);
    d.cycle({ n1: { [PD]: 100 } }, ['n1']);
    d.run(1, 'n1', PD, () => 100);
    expect(d.score('n1', PD)).toBe(0);
    d.run(1, 'n1', PD, () => 100);
    expect(d.score('n1', PD)).toBeGreaterThanOrEqual(1);
  });

  test('warm-up: no alert until the node has been watched for the warm-up', () => {
    const d = new Driver({ warmupMs: 10 * 60_000 });
    d.run(5, 'n1', PD, () => 0);
    d.run(3, 'n1', PD, () => 100);
    expect(d.row('n1', PD)).toMatchObject({ score: 0, warmingUp: true });
    d.run(40, 'n1', PD, () => 0);
    expect(d.row('n1', PD).warmingUp).toBe(false);
    // What was seen during the warm-up is part of the baseline; a far larger spike afterwards alerts.
    d.run(2, 'n1', PD, () => 2000);
    expect(d.score('n1', PD)).toBeGreaterThanOrEqual(1);
  });

  test('a series that appears on a watched node starts from its zero history', () => {
    const d = new Driver({ warmupMs: 10 * 60_000 });
    d.run(100, 'n1', PD, () => 0);
    const NEW = 'EGRESS/FIB lookup failed';
    d.cycle({ n1: { [PD]: 0, [NEW]: 30 } });
    d.cycle({ n1: { [PD]: 0, [NEW]: 30 } });
    expect(d.row('n1', NEW)).toMatchObject({ warmingUp: false });
    expect(d.score('n1', NEW)).toBeGreaterThanOrEqual(1);
    expect(d.row('n1', NEW).baseline).toBeLessThan(1);
  });

  describe('peer comparison', () => {
    const nodes = Array.from({ length: 9 }, (_, i) => `n${i + 1}`);

    test('a node is not anomalous for a rate within the typical band of its peers', () => {
      const run = (peerMinNodes: number) => {
        const d = new Driver({ peerMinNodes });
        const rnd = stream(11);
        for (let i = 0; i < 1500; i++) {
          const cycle: Record<string, Drops> = { quiet: { [PD]: 0 } };
          // The peers burst now and then up to ~6 packets/s: their bands sit well above the floor.
          nodes.forEach((n) => (cycle[n] = { [PD]: rnd() < 0.1 ? rnd() * 6 : 0 }));
          d.cycle(cycle);
        }
        const bands = nodes.map((n) => d.row(n, PD).upperBand);
        for (let i = 0; i < 2; i++) {
          const cycle: Record<string, Drops> = { quiet: { [PD]: 2.5 } };
          nodes.forEach((n) => (cycle[n] = { [PD]: 0 }));
          d.cycle(cycle);
        }
        return {
          score: d.score('quiet', PD),
          band: d.row('quiet', PD).upperBand,
          peerMedian: [...bands].sort((a, b) => a - b)[4],
        };
      };
      const alone = run(0);
      expect(alone.score).toBeGreaterThanOrEqual(1);
      const withPeers = run(5);
      expect(withPeers.score).toBe(0);
      expect(withPeers.band).toBeGreaterThan(2.5);
    });

    test('a node far above its peers is anomalous even after its own history has absorbed a slow ramp', () => {
      const d = new Driver({ peerMinNodes: 5, windowMs: 30 * 60_000 });
      let maxScoreLate = 0;
      for (let i = 0; i < 3000; i++) {
        const cycle: Record<string, Drops> = { ramp: { [PD]: Math.min(40, i / 50) } };
        nodes.forEach((n) => (cycle[n] = { [PD]: 0.2 }));
        d.cycle(cycle);
        if (i > 2500) {
          maxScoreLate = Math.max(maxScoreLate, d.score('ramp', PD));
        }
      }
      // Own history alone: a slow ramp becomes normal.
      const own = new Driver({ peerMinNodes: 0, windowMs: 30 * 60_000 });
      own.run(3000, 'ramp', PD, (i) => Math.min(40, i / 50));
      expect(own.score('ramp', PD)).toBe(0);
      // Against the peers (median baseline 0.2, limit 10 × max(0.2, 1) = 10 packets/s) it stays anomalous.
      expect(maxScoreLate).toBeGreaterThanOrEqual(1);
      expect(d.row('ramp', PD).upperBand).toBeCloseTo(10, 1);
      nodes.forEach((n) => expect(d.score(n, PD)).toBe(0));
    });

    test('a cluster-wide spike alerts on every node (each is outside its own normal)', () => {
      const d = new Driver({ peerMinNodes: 5 });
      for (let i = 0; i < 500; i++) {
        const cycle: Record<string, Drops> = {};
        nodes.forEach((n) => (cycle[n] = { [PD]: 1 }));
        d.cycle(cycle);
      }
      for (let i = 0; i < 2; i++) {
        const cycle: Record<string, Drops> = {};
        nodes.forEach((n) => (cycle[n] = { [PD]: 30 }));
        d.cycle(cycle);
      }
      nodes.forEach((n) => expect(d.score(n, PD)).toBeGreaterThanOrEqual(1));
    });
  });

  test('nodes that left the cluster are forgotten, with their series', () => {
    const d = new Driver();
    d.cycle({ a: { [PD]: 1, 'EGRESS/x': 1 }, b: { [PD]: 1 } });
    expect(d.detector.table.used).toBe(3);
    d.detector.beginCycle(d.now + 30_000);
    d.detector.observe('b', {
      intervalSeconds: 30,
      restarted: false,
      drops: [{ direction: 'INGRESS', reason: 'Policy denied', packetsPerSecond: 1 }],
    });
    d.detector.endCycle(new Set(['b']));
    expect(d.detector.table.used).toBe(1);
    expect(d.detector.rows().map((r) => r.node)).toEqual(['b']);
  });

  test('the number of series is capped; refused series are counted', () => {
    const d = new Driver({ maxSeries: 3 });
    d.cycle({ a: { 'INGRESS/r1': 1, 'INGRESS/r2': 1, 'INGRESS/r3': 1, 'INGRESS/r4': 1, 'INGRESS/r5': 1 } });
    expect(d.detector.table.used).toBe(3);
    expect(d.detector.refusedSeries).toBe(2);
  });

  test('bad rates (NaN, negative, infinite) are skipped', () => {
    const d = new Driver();
    d.cycle({ a: { 'INGRESS/r1': NaN, 'INGRESS/r2': -1, 'INGRESS/r3': Infinity, 'INGRESS/r4': 1 } });
    expect(d.detector.rows().map((r) => r.reason)).toEqual(['r4']);
  });

  test('memory: a few dozen bytes of typed arrays per series', () => {
    const d = new Driver();
    const nodes: Record<string, Drops> = {};
    for (let n = 0; n < 1000; n++) {
      const drops: Drops = {};
      for (let r = 0; r < 20; r++) {
        drops[`INGRESS/reason ${r}`] = r;
      }
      nodes[`node-${n}`] = drops;
    }
    d.cycle(nodes);
    expect(d.detector.table.used).toBe(20_000);
    const perSeries = d.detector.table.bytes() / d.detector.table.used;
    expect(BYTES_PER_SLOT).toBeLessThanOrEqual(64);
    expect(perSeries).toBeLessThan(120);
  });
});
