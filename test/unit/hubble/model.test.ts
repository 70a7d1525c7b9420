import { WorkloadDrops } from '../../../exporter/hubble/model';
import type { HubbleSample } from '../../../exporter/hubble/normalise';
import { OTHER } from '../../../exporter/hubble/pairs';
import { SeriesTracker } from '../../../exporter/hubble/tracker';

function sample(series: Array<[number, string, number]>, overflowSeries = 0): HubbleSample {
  return {
    drops: series.map(([id, src, value]) => ({
      id,
      reason: 'Policy denied',
      direction: 'INGRESS',
      source: { namespace: 'ns', workload: src },
      destination: { namespace: 'shop', workload: 'cart' },
      value,
    })),
    overflowSeries,
    form: 'pod',
    forms: { pod: series.length },
    unknownLabels: [],
    hasDrops: true,
    flowsProcessed: {},
    policyVerdicts: [],
    lostEvents: {},
  };
}

function rows(d: WorkloadDrops, node = 'n1') {
  return Object.fromEntries([...d.rows(d.node(node)!)].map((r) => [r.other ? OTHER : r.source.workload, r.packets]));
}

describe('series tracker', () => {
  test('increments, new series, restarts and vanished series', () => {
    const t = new SeriesTracker(10);
    const seen: Array<[number, number]> = [];
    const on = (s: { id: number }, inc: number) => seen.push([s.id, inc]);
    expect(t.update([{ id: 1, value: 5 }], true, on)).toMatchObject({ baselineOnly: true });
    expect(seen).toEqual([]);
    t.update(
      [
        { id: 1, value: 8 },
        { id: 2, value: 3 },
      ],
      true,
      on
    );
    expect(seen).toEqual([
      [1, 3],
      [2, 3],
    ]);
    seen.length = 0;
    // Series 1 vanished (its endpoint was deleted); series 2 went down: the agent restarted.
    expect(
      t.update(
        [
          { id: 2, value: 1 },
          { id: 3, value: 4 },
        ],
        true,
        on
      )
    ).toMatchObject({ restarted: true });
    expect(seen).toEqual([
      [2, 1],
      [3, 4],
    ]);
  });

  test('a page beyond capacity leaves the rest untracked, and new series after it only set baselines', () => {
    const t = new SeriesTracker(2);
    const seen: number[] = [];
    t.update([{ id: 1, value: 1 }], true, () => undefined);
    const r = t.update(
      [
        { id: 1, value: 2 },
        { id: 2, value: 5 },
        { id: 3, value: 7 },
      ],
      true,
      (s, inc) => seen.push(s.id * 100 + inc)
    );
    expect(r.untracked).toBe(1);
    expect(seen).toEqual([101, 205]);
    seen.length = 0;
    t.update(
      [
        { id: 1, value: 2 },
        { id: 4, value: 9 },
      ],
      true,
      (s, inc) => seen.push(s.id * 100 + inc)
    );
    expect(seen).toEqual([]);
    expect(t.size).toBe(2);
  });
});

describe('workload drops model', () => {
  test('top K kept, the rest in the other row, rows add up and counters only grow', () => {
    const d = new WorkloadDrops({ topK: 2, maxSeries: 100, halfLifeMs: 3_600_000 });
    d.ingestPage(
      'n1',
      sample([
        [1, 'a', 0],
        [2, 'b', 0],
        [3, 'c', 0],
      ]),
      0
    );
    d.ingestPage(
      'n1',
      sample([
        [1, 'a', 100],
        [2, 'b', 50],
        [3, 'c', 5],
      ]),
      30_000
    );
    expect(rows(d)).toEqual({ a: 100, b: 50, [OTHER]: 5 });
    // c overtakes b: b's series ends at 50 (kept in the summary), c starts its own counter.
    d.ingestPage(
      'n1',
      sample([
        [1, 'a', 110],
        [2, 'b', 51],
        [3, 'c', 300],
      ]),
      60_000
    );
    expect(rows(d)).toEqual({ a: 110, c: 295, [OTHER]: 6 });
    // b climbs back: its counter resumes at 50, nothing counted twice.
    d.ingestPage(
      'n1',
      sample([
        [1, 'a', 111],
        [2, 'b', 2000],
        [3, 'c', 301],
      ]),
      90_000
    );
    const r = rows(d);
    expect(r.b).toBe(50 + 1949);
    // Every packet is in exactly one counter: a pair's (exported or resting in the summary) or the other row.
    const routed = d.node('n1')!.pairs.routedPackets();
    expect(routed.held + routed.evicted + routed.other).toBe(111 + 2000 + 301);
    expect(routed.pending).toBe(0);
  });

  test('relay flows count for nodes without a metrics page, not for nodes with one', () => {
    const d = new WorkloadDrops({ topK: 5, maxSeries: 100, halfLifeMs: 3_600_000 });
    d.claimMetricsNode('m1');
    const ep = { namespace: 'ns', workload: 'w' };
    d.addFlow('m1', 'Policy denied', 'EGRESS', ep, ep);
    d.addFlow('r1', 'Policy denied', 'EGRESS', ep, ep);
    d.addFlow('r1', 'Policy denied', 'EGRESS', ep, ep);
    d.settleRelay(1000);
    expect([...d.rows(d.node('r1')!)].map((r) => r.packets)).toEqual([2]);
    expect(d.node('m1')!.pairs.totalPackets).toBe(0);
  });

  test('a spray of new names takes no kept place and turns nothing over; a heavy newcomer gets in once certain', () => {
    // K 5: a summary of 10 pairs, so every pair above a tenth of the node's drops is held (Space-Saving's bound).
    const d = new WorkloadDrops({ topK: 5, maxSeries: 100, halfLifeMs: 3_600_000 });
    const dst = { namespace: 'shop', workload: 'cart' };
    const flow = (workload: string, packets = 1) => {
      for (let i = 0; i < packets; i++) {
        d.addFlow('r1', 'Policy denied', 'INGRESS', { namespace: 'ns', workload }, dst);
      }
    };
    const exported = new Set<string>();
    const keptAt = new Map<string, number>();
    let name = 0;
    for (let settle = 1; settle <= 40; settle++) {
      flow('steady-a', 40);
      flow('steady-b', 30);
      for (let i = 0; i < 100; i++) {
        flow(`spray-${name++}`);
      }
      if (settle > 10) {
        flow('newcomer', 60);
      }
      d.settleRelay(settle * 30_000);
      for (const r of d.rows(d.node('r1')!)) {
        const w = r.other ? OTHER : r.source.workload;
        exported.add(w);
        keptAt.set(w, keptAt.get(w) ?? settle);
      }
    }
    // The same pairs all along, not a different handful of sprayed names at each settle.
    expect([...exported].sort()).toEqual([OTHER, 'newcomer', 'steady-a', 'steady-b'].sort());
    expect(keptAt.get('steady-a')).toBe(1);
    // The newcomer entered at the smallest count held (that much error) and is kept once its own drops exceed it.
    expect(keptAt.get('newcomer')).toBeGreaterThan(11);
    expect(keptAt.get('newcomer')).toBeLessThan(20);
    const routed = d.node('r1')!.pairs.routedPackets();
    expect(routed.held + routed.evicted + routed.other + routed.pending).toBe(40 * 170 + 30 * 60);
  });

  test('a million distinct pairs stay within the bounds', () => {
    const d = new WorkloadDrops({ topK: 50, maxSeries: 5000, halfLifeMs: 3_600_000, maxRelayNodes: 10 });
    const ep = { namespace: 'ns', workload: 'hot' };
    for (let i = 0; i < 1_000_000; i++) {
      d.addFlow('r1', 'Policy denied', 'INGRESS', { namespace: `n${i % 97}`, workload: `w${i}` }, ep);
      // 2% of the flows: above N / capacity (1%), so Space-Saving must hold it.
      if (i % 50 === 0) {
        d.addFlow('r1', 'Policy denied', 'INGRESS', ep, ep);
      }
      if (i % 100_000 === 0) {
        d.settleRelay(i);
      }
    }
    d.settleRelay(2_000_000);
    const n = d.node('r1')!;
    expect(n.pairs.heldPairs).toBeLessThanOrEqual(100);
    const all = [...d.rows(n)];
    expect(all.length).toBeLessThanOrEqual(51);
    const routed = n.pairs.routedPackets();
    expect(routed.held + routed.evicted + routed.other + routed.pending).toBe(1_000_000 + 20_000);
    expect(all.find((r) => r.source.workload === 'hot')?.packets).toBeGreaterThan(0);
  });
});
