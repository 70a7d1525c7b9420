/** The scores a ranking keeps, as both history backends rank them (rankedKeep in exporter/history/expr.ts). */
import { rankedKeep } from '../../../exporter/history/expr';

const keptOf = (scores: number[], ...args: Parameters<typeof rankedKeep> extends [unknown, ...infer R] ? R : never) =>
  scores.filter(rankedKeep(scores, ...args));

test('the k best and every tie with the k-th; bottomk the k least', () => {
  expect(keptOf([5, 1, 3, 3, 0], 'topk', 2)).toEqual([5, 3, 3]);
  expect(keptOf([5, 1, 3, 3, 0], 'bottomk', 2)).toEqual([1, 0]);
  expect(keptOf([2], 'topk', 10)).toEqual([2]);
});

test('keep filters after the edge is found among every score, as R >= scalar(min(topk(k, R))) > 0 does', () => {
  // Three scores of 0 among the top 4: the edge is 0, and > 0 leaves the two with drops.
  expect(keptOf([0, 7, 0, 2, 0], 'topk', 4, { op: '>', value: 0 })).toEqual([7, 2]);
  // The edge is 2: the 0 would not be kept anyway, and >= 2 keeps both.
  expect(keptOf([0, 7, 2], 'topk', 2, { op: '>=', value: 2 })).toEqual([7, 2]);
  expect(keptOf([0, 0], 'topk', 1, { op: '>', value: 0 })).toEqual([]);
});
