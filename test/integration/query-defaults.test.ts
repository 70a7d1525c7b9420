/**
 * The exporter answers a query that leaves its view, limit or quantiles unset with the defaults of the query
 * catalogue (src/queryCatalog.ts), the ones the plugin's editor shows: over loopback, on a simulated cluster of more
 * nodes than the default row limit, the answer without the setting equals the answer with the catalogue's default.
 */
import type { DataFrameJSON, QueryRequest, QueryResponse, QueryType, ScopeQuery } from '../../src/contract';
import { QUERY_TYPES, QUERY_TYPE_INFO, QUERY_TYPE_ORDER, viewsOf } from '../../src/queryCatalog';
import { type ScrapedCluster, startScrapedCluster } from '../support/scrapedCluster';

const NODES = 14;
let cluster: ScrapedCluster;

beforeAll(async () => {
  cluster = await startScrapedCluster({ nodes: NODES, seed: 5, ticks: 8 });
  expect(cluster.scrapes.map((s) => s.failed)).toEqual(Array(8).fill(0));
});
afterAll(async () => {
  await cluster?.close();
});

/** Each query's frames, each asked alone under the same refId. */
async function answer(queries: Array<Omit<ScopeQuery, 'refId'>>): Promise<DataFrameJSON[][]> {
  return Promise.all(
    queries.map(async (q) => {
      const body: QueryRequest = {
        ...cluster.range,
        maxDataPoints: 1000,
        queries: [{ refId: 'A', ...q } as ScopeQuery],
      };
      const res = await fetch(`${cluster.exporter.url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      const { results } = (await res.json()) as QueryResponse;
      expect(results.A.error).toBeUndefined();
      return results.A.frames;
    })
  );
}

const rows = (frames: DataFrameJSON[]) => frames[0].data.values[0].length;

const multiView = QUERY_TYPE_ORDER.filter((t) => viewsOf(t).length > 0);

test.each(multiView)('%s without a view answers as its default view', async (queryType: QueryType) => {
  const [unset, explicit] = await answer([{ queryType }, { queryType, view: QUERY_TYPE_INFO[queryType].defaultView }]);
  expect(unset.length).toBeGreaterThan(0);
  expect(unset).toEqual(explicit);
});

test('the tables and bands with a default limit keep that many rows or series when the query sets none', async () => {
  const topNodes = QUERY_TYPES.drops.views.topNodes.options.limit;
  const [unset, explicit, wide] = await answer([
    { queryType: 'drops', view: 'topNodes' },
    { queryType: 'drops', view: 'topNodes', limit: topNodes },
    { queryType: 'drops', view: 'topNodes', limit: NODES },
  ]);
  expect(unset).toEqual(explicit);
  expect([rows(unset), rows(wide)]).toEqual([topNodes, NODES]);

  const bands = QUERY_TYPES.anomaly.views.bands.options.limit;
  const [bandsUnset, bandsExplicit] = await answer([
    { queryType: 'anomaly', view: 'bands' },
    { queryType: 'anomaly', view: 'bands', limit: bands },
  ]);
  expect(bandsUnset).toEqual(bandsExplicit);
  // Four frames per drop series (rate, baseline, upper band, score): the default number of series, out of more.
  const seriesOf = (frames: DataFrameJSON[]) =>
    new Set(frames.map((f) => JSON.stringify({ ...f.schema.fields[1].labels, series: undefined })));
  const [bandsWide] = await answer([{ queryType: 'anomaly', view: 'bands', limit: 1000 }]);
  expect([seriesOf(bandsUnset).size, seriesOf(bandsWide).size > bands]).toEqual([bands, true]);

  const scores = QUERY_TYPES.anomaly.views.scores.options.limit;
  const [scoresUnset, scoresExplicit] = await answer([
    { queryType: 'anomaly', view: 'scores' },
    { queryType: 'anomaly', view: 'scores', limit: scores },
  ]);
  expect(scoresUnset).toEqual(scoresExplicit);
});

test('agent status has no default limit: every target until the query sets one', async () => {
  expect(QUERY_TYPES.agentHealth.views.status.options.limit).toBeNull();
  const [all, limited] = await answer([
    { queryType: 'agentHealth', view: 'status' },
    { queryType: 'agentHealth', view: 'status', limit: 3 },
  ]);
  // Every agent and the operator.
  expect([rows(all), rows(limited)]).toEqual([NODES + 1, 3]);
});

test('regeneration latency without quantiles answers the default ones', async () => {
  const quantiles = QUERY_TYPES.regeneration.views.latency.options.quantiles;
  const [unset, explicit] = await answer([
    { queryType: 'regeneration', view: 'latency' },
    { queryType: 'regeneration', view: 'latency', quantiles: [...quantiles] },
  ]);
  expect(unset).toEqual(explicit);
  expect(new Set(unset.map((f) => f.schema.fields[1].labels?.quantile))).toEqual(new Set(quantiles.map(String)));
});
