/**
 * The query layer reads selected series in place from the history's ring (RingSeriesRange) and reduces a group
 * without a row per series (reduceGroup). For random histories with gaps, random ranges and steps, every
 * reduction within and across series, the numbers must be exactly those of the plain path: the compact points,
 * onGrid per series, then combine.
 */
import fc from 'fast-check';
import { RingHistory, type SeriesRange } from '../../../exporter/history/store';
import {
  type AcrossSeries,
  type WithinStep,
  combine,
  makeGrid,
  onGrid,
  pointMean,
  reduceGroup,
} from '../../../exporter/http/query/range';

const INTERVAL = 1000;

const history = fc.record({
  capacity: fc.integer({ min: 2, max: 30 }),
  points: fc.integer({ min: 1, max: 45 }),
  series: fc.integer({ min: 1, max: 6 }),
  // Per series and point: a value, or a gap.
  cells: fc.array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null, freq: 4 }), {
    minLength: 6 * 45,
    maxLength: 6 * 45,
  }),
  jitter: fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 45, maxLength: 45 }),
});
const query = fc.record({
  from: fc.integer({ min: 0, max: 50_000 }),
  span: fc.integer({ min: 0, max: 50_000 }),
  intervalMs: fc.option(fc.integer({ min: 1, max: 9000 }), { nil: undefined }),
  maxDataPoints: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  within: fc.constantFrom<WithinStep>('mean', 'last', 'max', 'sum'),
  across: fc.constantFrom<AcrossSeries>('sum', 'max', 'min', 'count'),
});

/** The same series as plain compact arrays, as select returned them before. */
const plain = (s: SeriesRange): SeriesRange => ({
  metric: s.metric,
  labels: s.labels,
  times: [...s.times],
  values: [...s.values],
});

test('reduceGroup over ring views equals combine(onGrid) over compact points', () => {
  fc.assert(
    fc.property(history, query, (h, q) => {
      const ring = new RingHistory({
        retentionMs: h.capacity * INTERVAL,
        intervalMs: INTERVAL,
        maxBytes: 1 << 22,
        minPoints: 2,
      });
      for (let p = 0; p < h.points; p++) {
        // Point times are not exact multiples of the interval, as cycle start times are not.
        const w = ring.begin(1000 + p * INTERVAL + h.jitter[p]);
        for (let s = 0; s < h.series; s++) {
          const v = h.cells[s * 45 + p];
          if (v !== null) {
            w.put('m', { node: `n${s}` }, v);
          }
        }
        w.commit();
      }
      const grid = makeGrid(q.from, q.from + q.span, q.intervalMs, q.maxDataPoints, INTERVAL);
      const views = ring.select('m', () => true, q.from - grid.step, q.from + q.span);
      const compact = views.map(plain);
      expect(reduceGroup(views, grid, q.within, q.across)).toEqual(
        combine(
          compact.map((s) => onGrid(s, grid, q.within)),
          q.across,
          grid.times.length
        )
      );
      for (let i = 0; i < views.length; i++) {
        expect(onGrid(views[i], grid, q.within)).toEqual(onGrid(compact[i], grid, q.within));
        const values = compact[i].values;
        expect(pointMean(views[i])).toBe(values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
      }
    }),
    { numRuns: 500 }
  );
});
