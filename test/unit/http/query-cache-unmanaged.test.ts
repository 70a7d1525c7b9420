/**
 * What the answer cache keeps of unmanaged pods: their count over time is history (cached per generation like any
 * series), their table is the Kubernetes join as it is now (computed on every request).
 */
import type { QueryResult, ScopeQuery } from '../../../src/contract';
import { QueryCache } from '../../../exporter/http/query-cache';

function counting() {
  const computed: string[] = [];
  const compute = async (queries: ScopeQuery[]): Promise<Record<string, QueryResult>> => {
    computed.push(...queries.map((q) => q.refId));
    return Object.fromEntries(queries.map((q) => [q.refId, { frames: [] }]));
  };
  return { computed, compute };
}

const request = (queries: ScopeQuery[]) => ({ from: 1_700_000_000_000, to: 1_700_000_600_000, queries });

test('the unmanaged pods count is answered from the cache within a generation, the table never', async () => {
  const cache = new QueryCache();
  const { computed, compute } = counting();
  const queries: ScopeQuery[] = [
    { refId: 'count', queryType: 'unmanagedPods', view: 'count' },
    { refId: 'table', queryType: 'unmanagedPods', view: 'table' },
    { refId: 'default', queryType: 'unmanagedPods' },
  ];
  for (let i = 0; i < 3; i++) {
    const body = JSON.parse(await cache.answer(request(queries), 10_000, 'g1', compute));
    expect(Object.keys(body.results)).toEqual(['count', 'table', 'default']);
  }
  expect(computed.filter((r) => r === 'count')).toHaveLength(1);
  expect(computed.filter((r) => r === 'table')).toHaveLength(3);
  expect(computed.filter((r) => r === 'default')).toHaveLength(3);

  await cache.answer(request(queries), 10_000, 'g2', compute);
  expect(computed.filter((r) => r === 'count')).toHaveLength(2);
});
