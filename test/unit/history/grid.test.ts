/** The step grid and the windows, as Prometheus's query_range and Grafana's $__rate_interval define them. */
import { MAX_POINTS, gridEnd, lookbackMs, makeGrid, rateWindowMs } from '../../../exporter/history/grid';

describe('makeGrid', () => {
  test("step is the largest of Grafana's interval, the sample interval and range/maxDataPoints", () => {
    expect(makeGrid(0, 60_000, 1000, 1000, 5000).step).toBe(5000);
    expect(makeGrid(0, 3_600_000, 1000, 100, 5000).step).toBe(36_000);
    expect(makeGrid(0, 60_000, 15_000, undefined, 5000).step).toBe(15_000);
    // Whole milliseconds, as Prometheus evaluates.
    expect(makeGrid(0, 1000, 333.3, undefined, 100).step).toBe(334);
  });

  test('points at the multiples of the step within [from, to]: never after to', () => {
    expect(makeGrid(12_345, 42_000, 10_000, undefined, 1000).times).toEqual([20_000, 30_000, 40_000]);
    expect(makeGrid(10_000, 30_000, 10_000, undefined, 1000).times).toEqual([10_000, 20_000, 30_000]);
    expect(makeGrid(10_000, 29_999, 10_000, undefined, 1000).times).toEqual([10_000, 20_000]);
    // A range shorter than a step and not on a multiple has no point at all.
    expect(makeGrid(10_001, 19_999, 10_000, undefined, 1000).times).toEqual([]);
  });

  test("a huge range with a tiny step stays within Prometheus's 11,000 points, never an endless loop", () => {
    const g = makeGrid(0, 31 * 86_400_000, 1, 11_000, 1);
    expect(g.times.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(makeGrid(0, 31 * 86_400_000, 1, undefined, 1).times.length).toBeLessThanOrEqual(MAX_POINTS);
  });

  test('the end of a grid is the last multiple of the step at or before to', () => {
    expect(gridEnd(makeGrid(0, 42_000, 10_000, undefined, 1000))).toBe(40_000);
  });
});

describe('windows', () => {
  test('rate window: max(step + interval, 4 intervals), as $__rate_interval', () => {
    expect(rateWindowMs({ step: 30_000, intervalMs: 30_000 })).toBe(120_000);
    expect(rateWindowMs({ step: 216_000, intervalMs: 30_000 })).toBe(246_000);
  });

  test('gauge lookback: max(5 min, 2 intervals)', () => {
    expect(lookbackMs({ intervalMs: 30_000 })).toBe(300_000);
    expect(lookbackMs({ intervalMs: 600_000 })).toBe(1_200_000);
  });
});
