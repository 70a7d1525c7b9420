import { parseBound, sumHistograms, type HistogramParts } from '../../../exporter/cilium/histogram';

function parts(buckets: Array<[string, number]>, sum?: number, count?: number): HistogramParts {
  return { buckets: new Map(buckets), sum, count };
}

describe('parseBound', () => {
  test('reads numbers and the spellings of +Inf', () => {
    expect(parseBound('0.005')).toBe(0.005);
    expect(parseBound('1e-3')).toBe(0.001);
    expect(parseBound('10')).toBe(10);
    expect(parseBound('+Inf')).toBe(Infinity);
    expect(parseBound('+inf')).toBe(Infinity);
    expect(parseBound('Inf')).toBe(Infinity);
    expect(parseBound('')).toBeNaN();
    expect(parseBound('fast')).toBeNaN();
  });
});

describe('sumHistograms', () => {
  test('one series comes back sorted by bound', () => {
    const h = sumHistograms([
      parts(
        [
          ['+Inf', 5],
          ['1', 3],
          ['0.5', 1],
        ],
        2.5,
        5
      ),
    ]);
    expect(h).toEqual({ upperBounds: [0.5, 1, Infinity], cumulativeCounts: [1, 3, 5], sum: 2.5, count: 5 });
  });

  test('series with the same bounds add bucket by bucket', () => {
    const h = sumHistograms([
      parts(
        [
          ['1', 2],
          ['+Inf', 4],
        ],
        3,
        4
      ),
      parts(
        [
          ['1', 1],
          ['+Inf', 1],
        ],
        0.5,
        1
      ),
    ]);
    expect(h).toEqual({ upperBounds: [1, Infinity], cumulativeCounts: [3, 5], sum: 3.5, count: 5 });
  });

  test('different bounds: a series counts what it had reached at its nearest lower bound', () => {
    // A: ≤1 → 2, ≤+Inf → 4.  B: ≤0.5 → 1, ≤2 → 3, ≤+Inf → 3.
    // At 0.5: A has no bound ≤0.5 → 0, B 1. At 1: A 2, B 1 (its 0.5 bucket). At 2: A 2, B 3. +Inf: 4 + 3.
    const h = sumHistograms([
      parts(
        [
          ['1', 2],
          ['+Inf', 4],
        ],
        3,
        4
      ),
      parts(
        [
          ['0.5', 1],
          ['2', 3],
          ['+Inf', 3],
        ],
        1,
        3
      ),
    ]);
    expect(h).toEqual({ upperBounds: [0.5, 1, 2, Infinity], cumulativeCounts: [1, 3, 5, 7], sum: 4, count: 7 });
  });

  test('a missing +Inf bucket is taken from _count, a missing _count from +Inf', () => {
    expect(sumHistograms([parts([['1', 2]], 1, 6)])).toEqual({
      upperBounds: [1, Infinity],
      cumulativeCounts: [2, 6],
      sum: 1,
      count: 6,
    });
    expect(
      sumHistograms([
        parts(
          [
            ['1', 2],
            ['+Inf', 6],
          ],
          1
        ),
      ])?.count
    ).toBe(6);
  });

  test('a missing _sum counts as 0; a series with neither +Inf nor _count is unusable', () => {
    expect(sumHistograms([parts([['+Inf', 2]])])?.sum).toBe(0);
    expect(sumHistograms([parts([['1', 2]])])).toBeNull();
    expect(sumHistograms([])).toBeNull();
  });

  test('unreadable bounds are skipped', () => {
    const h = sumHistograms([
      parts(
        [
          ['x', 9],
          ['1', 2],
          ['+Inf', 2],
        ],
        1,
        2
      ),
    ]);
    expect(h?.upperBounds).toEqual([1, Infinity]);
  });
});
