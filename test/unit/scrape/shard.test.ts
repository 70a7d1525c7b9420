import { fnv1a32, shardFilter, shardOf } from '../../../exporter/scrape/shard';
import { makeTarget } from '../../../exporter/scrape/targets';

test('FNV-1a is the published 32-bit hash', () => {
  expect(fnv1a32('')).toBe(0x811c9dc5);
  expect(fnv1a32('a')).toBe(0xe40c292c);
  expect(fnv1a32('foobar')).toBe(0xbf9cf968);
});

test('M shards cover every node exactly once, roughly evenly', () => {
  const nodes = Array.from({ length: 3000 }, (_, i) => `ip-10-0-${i >> 8}-${i & 255}.ec2.internal`);
  const counts = [0, 0, 0];
  for (const node of nodes) {
    const owners = [0, 1, 2].filter((index) =>
      shardFilter({ index, count: 3 })(makeTarget('agent', node, 'http://x', 'static'))
    );
    expect(owners).toHaveLength(1);
    expect(owners[0]).toBe(shardOf(node, 3));
    counts[owners[0]]++;
  }
  for (const c of counts) {
    expect(c).toBeGreaterThan(900);
    expect(c).toBeLessThan(1100);
  }
});

test('only shard 0 scrapes the operator', () => {
  const op = makeTarget('operator', '', 'http://op', 'static');
  expect([0, 1, 2].map((index) => shardFilter({ index, count: 3 })(op))).toEqual([true, false, false]);
});
