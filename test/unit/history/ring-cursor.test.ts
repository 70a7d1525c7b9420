/**
 * RingHistory finds the series of a put by following the previous point's write order (a few comparisons instead
 * of a key string per put). Whatever the order, the labels' key order, series appearing, vanishing, repeating or
 * being forgotten when the ring wraps, every value must land in its own series: checked against a plain model.
 */
import fc from 'fast-check';
import { RingHistory, seriesKey } from '../../../exporter/history/ring';
import { samples } from '../../support/history';

const NODES = ['a', 'b', 'c', 'd'];
const REASONS = ['Policy denied', 'Invalid packet', 'Stale or unroutable IP'];

type Put = { metric: string; labels: Record<string, string>; value: number };

const put = fc
  .record({
    metric: fc.constantFrom('endpoints', 'dropped_rate'),
    node: fc.constantFrom(...NODES),
    reason: fc.constantFrom(...REASONS),
    flip: fc.boolean(),
    value: fc.integer({ min: -1000, max: 1000 }),
  })
  .map(({ metric, node, reason, flip, value }): Put => {
    if (metric === 'endpoints') {
      return { metric, labels: { node }, value };
    }
    // The same series written with its label keys in either order.
    return { metric, labels: flip ? { reason, node, unit: 'packets' } : { node, unit: 'packets', reason }, value };
  });

/** A point: mostly the previous point's puts in the same order (as cycles are), sometimes reshuffled or cut. */
const points = fc.array(
  fc.record({
    puts: fc.array(put, { maxLength: 12 }),
    reuse: fc.integer({ min: 0, max: 3 }),
    shift: fc.nat(),
    drop: fc.nat(),
  }),
  { minLength: 1, maxLength: 40 }
);

test('every value lands in its own series, whatever the order of puts', () => {
  fc.assert(
    fc.property(points, fc.integer({ min: 2, max: 12 }), (plan, capacity) => {
      const h = new RingHistory({ retentionMs: capacity * 1000, intervalMs: 1000, maxBytes: 1 << 22, minPoints: 2 });
      const model = new Map<string, Map<number, number>>();
      let previous: Put[] = [];
      plan.forEach((p, i) => {
        const t = 1000 * (i + 1);
        let puts: Put[];
        if (p.reuse === 0 || previous.length === 0) {
          puts = p.puts;
        } else if (p.reuse === 1) {
          puts = previous.map((x) => ({ ...x, value: x.value + 1 }));
        } else if (p.reuse === 2) {
          // Same series, rotated and with one dropped: the cursor falls out of step and must find its way back.
          const k = p.shift % previous.length;
          puts = [...previous.slice(k), ...previous.slice(0, k)]
            .filter((_, j) => j !== p.drop % previous.length)
            .map((x) => ({ ...x, value: x.value - 1 }));
        } else {
          puts = [...previous, ...p.puts];
        }
        const w = h.begin(t);
        for (const x of puts) {
          w.put(x.metric, x.labels, x.value);
          const key = seriesKey(x.metric, x.labels);
          const m = model.get(key) ?? new Map<number, number>();
          m.set(t, x.value);
          model.set(key, m);
        }
        w.commit();
        previous = puts;
      });
      const oldest = 1000 * Math.max(1, plan.length - capacity + 1);
      for (const metric of ['endpoints', 'dropped_rate']) {
        for (const s of samples(h, metric, () => true, 0, 1e12)) {
          const expected = model.get(seriesKey(metric, s.labels))!;
          const want = [...expected.entries()].filter(([t]) => t >= oldest).sort((a, b) => a[0] - b[0]);
          expect(s.times.map((t, j) => [t, s.values[j]])).toEqual(want);
        }
        // And no series the model has within the window is missing.
        const have = new Set(samples(h, metric, () => true, 0, 1e12).map((s) => seriesKey(metric, s.labels)));
        for (const [key, m] of model) {
          if (key.startsWith(metric + '\u0000') && [...m.keys()].some((t) => t >= oldest)) {
            expect(have.has(key)).toBe(true);
          }
        }
      }
    }),
    { numRuns: 300 }
  );
});

test('a series forgotten when the ring wraps is never written through a stale reference', () => {
  const h = new RingHistory({ retentionMs: 4000, intervalMs: 1000, maxBytes: 1 << 20, minPoints: 2 });
  const write = (t: number, nodes: string[]) => {
    const w = h.begin(t);
    nodes.forEach((n, i) => w.put('m', { node: n }, t + i));
    w.commit();
  };
  write(1000, ['a', 'b']);
  // b goes away long enough to be collected at the wrap; a continues.
  for (let t = 2000; t <= 9000; t += 1000) {
    write(t, ['a']);
  }
  expect(samples(h, 'm', () => true, 0, 1e9).map((s) => s.labels.node)).toEqual(['a']);
  // b returns: a new series with only its new point, a keeps its own values.
  write(10_000, ['a', 'b']);
  const byNode = Object.fromEntries(samples(h, 'm', () => true, 0, 1e9).map((s) => [s.labels.node, s]));
  expect(byNode.b.times).toEqual([10_000]);
  expect(byNode.b.values).toEqual([10_001]);
  expect(byNode.a.values.at(-1)).toBe(10_000);
});
