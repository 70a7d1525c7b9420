import { combine, groupBy, makeGrid, onGrid } from '../../../exporter/http/query/range';

const series = (times: number[], values: number[], labels: Record<string, string> = {}) => ({ metric: 'm', labels, times, values });

describe('makeGrid', () => {
  test('step is the largest of interval, scrape interval and range/maxDataPoints; steps aligned to multiples', () => {
    expect(makeGrid(0, 60_000, 1000, 1000, 5000).step).toBe(5000);
    expect(makeGrid(0, 3_600_000, 1000, 100, 5000).step).toBe(36_000);
    expect(makeGrid(0, 60_000, 15_000, undefined, 5000).step).toBe(15_000);
    const g = makeGrid(12_345, 42_000, 10_000, undefined, 1000);
    expect(g.times).toEqual([20_000, 30_000, 40_000, 50_000]);
    expect(makeGrid(10_000, 30_000, 10_000, undefined, 1000).times).toEqual([10_000, 20_000, 30_000]);
  });
  test('a huge range with a tiny step is capped, never an endless loop', () => {
    expect(makeGrid(0, 31 * 86_400_000, 1, 11_000, 1).times.length).toBeLessThanOrEqual(11_001);
  });
});

describe('onGrid', () => {
  const grid = makeGrid(1, 30_000, 10_000, undefined, 1000); // steps end at 10s, 20s, 30s
  test('mean, last, max, sum within a step; empty steps are null', () => {
    const s = series([1000, 5000, 10_000, 25_000], [1, 3, 5, 7]);
    expect(onGrid(s, grid, 'mean')).toEqual([3, null, 7]);
    expect(onGrid(s, grid, 'last')).toEqual([5, null, 7]);
    expect(onGrid(s, grid, 'max')).toEqual([5, null, 7]);
    expect(onGrid(s, grid, 'sum')).toEqual([9, null, 7]);
  });
  test('a point exactly on a step end belongs to that step, the next millisecond to the next', () => {
    expect(onGrid(series([10_000, 10_001], [1, 2]), grid, 'last')).toEqual([1, 2, null]);
  });
});

test('combine sums, takes extremes and counts, ignoring missing values', () => {
  const rows = [
    [1, null, 3],
    [2, null, null],
  ];
  expect(combine(rows, 'sum', 3)).toEqual([3, null, 3]);
  expect(combine(rows, 'max', 3)).toEqual([2, null, 3]);
  expect(combine(rows, 'min', 3)).toEqual([1, null, 3]);
  expect(combine(rows, 'count', 3)).toEqual([2, null, 1]);
});

test('groupBy splits by label values, sorted', () => {
  const g = groupBy([series([], [], { node: 'b', state: 'ready' }), series([], [], { node: 'a', state: 'ready' }), series([], [], { node: 'a', state: 'regenerating' })], ['state']);
  expect([...g.values()].map((x) => [x.labels.state, x.members.length])).toEqual([
    ['ready', 2],
    ['regenerating', 1],
  ]);
});
