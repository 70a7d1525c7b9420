import { RingHistory } from '../../../exporter/history/ring';
import { samples } from '../../support/history';

const all = () => true;

function fill(h: RingHistory, points: number, series: string[], t0 = 1000, step = 1000) {
  for (let i = 0; i < points; i++) {
    const w = h.begin(t0 + i * step);
    for (const s of series) {
      w.put('m', { node: s }, i);
    }
    w.commit();
  }
}

describe('RingHistory', () => {
  test('keeps the last capacity points, oldest first, within the asked range', () => {
    const h = new RingHistory({ retentionMs: 5000, intervalMs: 1000, maxBytes: 1 << 20 });
    fill(h, 8, ['a']);
    const [s] = samples(h, 'm', all, 0, 1e9);
    expect(s.values).toEqual([3, 4, 5, 6, 7]);
    expect(s.times).toEqual([4000, 5000, 6000, 7000, 8000]);
    expect(samples(h, 'm', all, 5000, 6500)[0].values).toEqual([4, 5]);
  });

  test('a series missing from a point leaves a gap, not a stale value', () => {
    const h = new RingHistory({ retentionMs: 10_000, intervalMs: 1000, maxBytes: 1 << 20 });
    let w = h.begin(1000);
    w.put('m', { node: 'a' }, 1);
    w.put('m', { node: 'b' }, 10);
    w.commit();
    w = h.begin(2000);
    w.put('m', { node: 'a' }, 2);
    w.commit();
    const byNode = Object.fromEntries(samples(h, 'm', all, 0, 1e9).map((s) => [s.labels.node, s]));
    expect(byNode.a.values).toEqual([1, 2]);
    expect(byNode.b.values).toEqual([10]);
    expect(byNode.b.times).toEqual([1000]);
  });

  test('label order does not make a new series; filters and label values work', () => {
    const h = new RingHistory({ retentionMs: 10_000, intervalMs: 1000, maxBytes: 1 << 20 });
    const w = h.begin(1000);
    w.put('drops', { node: 'a', reason: 'Policy denied' }, 1);
    w.put('drops', { reason: 'Policy denied', node: 'a' }, 2);
    w.put('drops', { node: 'b', reason: 'Invalid packet' }, 3);
    w.commit();
    expect(h.stats().series).toBe(2);
    expect(samples(h, 'drops', (l) => l.node === 'a', 0, 1e9)[0].values).toEqual([2]);
    expect(h.labelValues('drops', 'reason')).toEqual(['Invalid packet', 'Policy denied']);
    expect(samples(h, 'absent', all, 0, 1e9)).toEqual([]);
  });

  test('stays within its byte budget by halving retention, keeping the newest points', () => {
    // 100 points of capacity; each series costs 100*4+256 bytes.
    const h = new RingHistory({
      retentionMs: 100_000,
      intervalMs: 1000,
      maxBytes: 10 * (100 * 4 + 256) + 800,
      minPoints: 10,
    });
    fill(h, 60, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    expect(h.stats().capacityPoints).toBe(100);
    // Five more series do not fit at 100 points but do at 50: capacity halves once.
    fill(
      h,
      1,
      Array.from({ length: 5 }, (_, i) => `n${i}`),
      61_000
    );
    const stats = h.stats();
    expect(stats.capacityPoints).toBe(50);
    expect(stats.bytes).toBeLessThanOrEqual(10 * (100 * 4 + 256) + 800);
    expect(stats.series).toBe(15);
    const [a] = samples(h, 'm', (l) => l.node === 'a', 0, 1e9);
    // The newest 49 committed points of a survived (11..59); a has no value in the point being written.
    expect(a.values).toEqual(Array.from({ length: 49 }, (_, i) => 11 + i));
    expect(samples(h, 'm', (l) => l.node === 'n0', 0, 1e9)[0].values).toEqual([0]);
  });

  test('refuses new series at the minimum retention and counts them', () => {
    const h = new RingHistory({
      retentionMs: 10_000,
      intervalMs: 1000,
      maxBytes: 3 * (10 * 4 + 256) + 80,
      minPoints: 10,
    });
    fill(h, 2, ['a', 'b', 'c', 'd', 'e']);
    expect(h.stats().series).toBe(3);
    expect(h.stats().droppedSeries).toBeGreaterThanOrEqual(2);
  });

  test('forgets series that have no value left in the ring', () => {
    const h = new RingHistory({ retentionMs: 4000, intervalMs: 1000, maxBytes: 1 << 20 });
    fill(h, 1, ['gone']);
    fill(h, 8, ['kept'], 2000);
    expect(samples(h, 'm', all, 0, 1e9).map((s) => s.labels.node)).toEqual(['kept']);
  });
});
