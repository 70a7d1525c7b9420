/**
 * The embedded evaluator's step semantics on small hand-made histories (the exhaustive comparison with Prometheus
 * itself is promtool-agreement.test.ts): the last sample at or before a step within the lookback, rates over the
 * window ending at a step, samples at their own clock's times, counters kept exactly.
 */
import { EmbeddedBackend, evaluate } from '../../../exporter/history/embedded';
import {
  above,
  atLeast,
  countBy,
  eq,
  last,
  maxBy,
  quantile,
  rate,
  selector,
  stepChange,
  sumBy,
} from '../../../exporter/history/expr';
import { instantGrid, makeGrid } from '../../../exporter/history/grid';
import { RingHistory } from '../../../exporter/history/ring';

const S = 1000;

/** Writes points[k] = { node: value } at cycle k (time k × 10 s), each node's sample `offset[node]` ms into it. */
function history(
  metric: string,
  points: Array<Record<string, number>>,
  counter: boolean,
  offset: Record<string, number> = {}
): RingHistory {
  const h = new RingHistory({ retentionMs: 3_600_000, intervalMs: 10 * S, maxBytes: 1 << 22 });
  points.forEach((values, k) => {
    const w = h.begin(k * 10 * S);
    for (const [node, v] of Object.entries(values)) {
      const at = w.at(`agent/${node}`, k * 10 * S + (offset[node] ?? 0));
      (counter ? at.putCounter : at.put)(metric, { node }, v);
    }
    w.commit();
  });
  return h;
}

const values = (h: RingHistory, expr: Parameters<typeof evaluate>[1], from: number, to: number) =>
  evaluate(h, expr, makeGrid(from, to, 10 * S, undefined, 10 * S)).map((s) => [s.labels, s.values]);
/** At one time, whatever the step grid. */
const at = (h: RingHistory, expr: Parameters<typeof evaluate>[1], time: number) =>
  evaluate(h, expr, instantGrid(time, 10 * S)).map((s) => [s.labels, s.values[0]]);

describe('gauges: the last sample at or before each step, within the lookback', () => {
  const h = history('g', [{ a: 1 }, { a: 2 }, {}, { a: 4 }], false);
  test('a step between samples shows the one before it; a sample exactly at a step counts', () => {
    const g = sumBy(['node'], last(selector('g')));
    expect([0, 5, 9_999, 10_000, 15_000].map((t) => at(h, g, t))).toEqual([
      [[{ node: 'a' }, 1]],
      [[{ node: 'a' }, 1]],
      [[{ node: 'a' }, 1]],
      [[{ node: 'a' }, 2]],
      [[{ node: 'a' }, 2]],
    ]);
  });
  test('a missing sample keeps the previous value (no gap) until the lookback of 5 minutes ends', () => {
    expect(values(h, sumBy(['node'], last(selector('g'))), 0, 30 * S)[0][1]).toEqual([1, 2, 2, 4]);
    const late = values(h, sumBy(['node'], last(selector('g'))), 330 * S, 340 * S);
    expect(late).toEqual([[{ node: 'a' }, [4, null]]]);
  });
});

describe('counters: rates over the window ending at each step', () => {
  test('with samples at both edges of the window, the plain increase over the window', () => {
    const h = history('c_total', [{ a: 100 }, { a: 110 }, { a: 130 }, { a: 160 }, { a: 200 }], true);
    // Window 4 intervals = 40 s: at 40 s it spans the samples at 0 s to 40 s.
    expect(values(h, sumBy(['node'], rate(selector('c_total'))), 40 * S, 40 * S)).toEqual([
      [{ node: 'a' }, [(200 - 100) / 40]],
    ]);
  });

  test('a counter reset adds the value before the drop, as Prometheus does', () => {
    const h = history('c_total', [{ a: 100 }, { a: 110 }, { a: 5 }, { a: 15 }, { a: 25 }], true);
    expect(values(h, sumBy(['node'], rate(selector('c_total'))), 40 * S, 40 * S)).toEqual([
      [{ node: 'a' }, [(25 - 100 + 110) / 40]],
    ]);
  });

  test('counters keep their cumulative value exactly, beyond 32-bit precision', () => {
    const h = history(
      'c_total',
      [{ a: 1e12 }, { a: 1e12 + 1 }, { a: 1e12 + 2 }, { a: 1e12 + 3 }, { a: 1e12 + 4 }],
      true
    );
    expect(values(h, sumBy(['node'], rate(selector('c_total'))), 40 * S, 40 * S)).toEqual([[{ node: 'a' }, [0.1]]]);
  });

  test("a counter's change over one step, for annotations", () => {
    const h = history('c_total', [{ a: 1 }, { a: 1 }, { a: 3 }, { a: 3 }], true);
    expect(values(h, sumBy(['node'], stepChange(selector('c_total'))), 10 * S, 30 * S)).toEqual([
      [{ node: 'a' }, [0, 2, 0]],
    ]);
  });
});

describe('samples at their own clock', () => {
  test("each node's samples at its own scrape time: a step before a node's scrape still shows its previous sample", () => {
    const h = history(
      'g',
      [
        { a: 1, b: 10 },
        { a: 2, b: 20 },
      ],
      false,
      { a: 0, b: 3 * S }
    );
    // At 11 s, a's second sample (10 s) is in, b's (13 s) is not.
    expect(at(h, maxBy(['node'], last(selector('g'))), 11 * S)).toEqual([
      [{ node: 'a' }, 2],
      [{ node: 'b' }, 10],
    ]);
  });
});

describe('aggregation across series', () => {
  const h = history('g', [{ a: 1, b: 2, c: 3 }], false);
  test('sum, count, and a filter by matcher; groups sorted by label; no series without a value', () => {
    expect(values(h, sumBy([], last(selector('g'))), 0, 0)).toEqual([[{}, [6]]]);
    expect(values(h, countBy([], last(selector('g'))), 0, 0)).toEqual([[{}, [3]]]);
    expect(values(h, sumBy(['node'], last(selector('g', eq('node', 'b')))), 0, 0)).toEqual([[{ node: 'b' }, [2]]]);
    expect(values(h, sumBy(['node'], last(selector('g'))), 400 * S, 400 * S)).toEqual([]);
  });
});

describe('filters by a comparison (PromQL `agg > 0`, `agg >= 1`)', () => {
  test('only the points that pass are answered, and a series with none of them is not there', () => {
    const h = history(
      'g',
      [
        { a: 0, b: 0 },
        { a: 2, b: 0.5 },
        { a: 1, b: 0 },
        { a: 0, b: 0 },
      ],
      false
    );
    const g = maxBy(['node'], last(selector('g')));
    expect(values(h, above(0, g), 0, 30 * S)).toEqual([
      [{ node: 'a' }, [null, 2, 1, null]],
      [{ node: 'b' }, [null, 0.5, null, null]],
    ]);
    expect(values(h, atLeast(1, g), 0, 30 * S)).toEqual([[{ node: 'a' }, [null, 2, 1, null]]]);
  });
});

describe('quantiles', () => {
  /** Bucket counters of a histogram per node: at cycle k, `per[le]` × k observations at or below le. */
  function histogram(nodes: string[], per: Record<string, number>, cycles: number): RingHistory {
    const h = new RingHistory({ retentionMs: 3_600_000, intervalMs: 10 * S, maxBytes: 1 << 22 });
    for (let k = 0; k < cycles; k++) {
      const w = h.begin(k * 10 * S);
      for (const node of nodes) {
        for (const [le, n] of Object.entries(per)) {
          w.at(`agent/${node}`, k * 10 * S).putCounter('h_bucket', { node, le }, n * k * (node === 'a' ? 1 : 3));
        }
      }
      w.commit();
    }
    return h;
  }

  test('a panel of quantiles reads the bucket rates once, with the answers of each quantile alone', async () => {
    const h = histogram(['a', 'b'], { '0.1': 1, '1': 4, '+Inf': 5 }, 8);
    const grid = makeGrid(40 * S, 70 * S, 10 * S, undefined, 10 * S);
    const exprs = [0.5, 0.9, 0.99].map((q) => quantile(q, ['node'], selector('h_bucket')));
    const alone = exprs.map((e) => evaluate(h, e, grid));
    const together = await new EmbeddedBackend(h, 10 * S).reader().evaluate(exprs, grid);
    expect(together).toEqual(alone);
    // Per step, of 5 observations 1 is at or below 0.1 and 4 at or below 1: the median is half-way into (0.1, 1],
    // the 99th percentile past the last finite bound, so that bound.
    expect(alone[0].map((s) => s.labels)).toEqual([{ node: 'a' }, { node: 'b' }]);
    for (const v of [...alone[0][0].values, ...alone[0][1].values]) {
      expect(v).toBeCloseTo(0.1 + 0.9 * ((2.5 - 1) / 3), 12);
    }
    expect(alone[2][0].values).toEqual([1, 1, 1, 1]);
  });
});
