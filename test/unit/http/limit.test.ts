/**
 * The series limits of the query API, run by the real handlers on an embedded history written by hand: the top N
 * nodes by the query's own signal over the range (ties by name, the same set at every step), "other nodes" as the
 * query's own cluster view of the rest, the hard cap with its notice, and the PromQL the ranking sends.
 */
import { EmbeddedBackend } from '../../../exporter/history/embedded';
import { RingHistory } from '../../../exporter/history/ring';
import { runQueries } from '../../../exporter/http/query';
import { RANKS } from '../../../exporter/http/query/promql-table';
import type { ClusterView } from '../../../exporter/model/view';
import { SERIES } from '../../../exporter/model/series';
import type { DataFrameJSON, ScopeQuery } from '../../../src/contract';
import { QUERY_TYPE_ORDER, viewsOf } from '../../../src/queryCatalog';

const S = 1000;
const INTERVAL = 10 * S;
const CYCLES = 6;

/** Per node: its not-ready endpoints at each cycle (and always 10 ready), plus an agent target up. */
function history(
  notReady: Record<string, Array<number | null>>,
  extra: (k: number, w: ReturnType<RingHistory['begin']>) => void = () => {}
): RingHistory {
  const h = new RingHistory({ retentionMs: 3_600_000, intervalMs: INTERVAL, maxBytes: 1 << 24 });
  for (let k = 0; k < CYCLES; k++) {
    const w = h.begin(k * INTERVAL);
    for (const [node, values] of Object.entries(notReady)) {
      const at = w.at(`agent/${node}`, k * INTERVAL);
      at.put(SERIES.up, { node, component: 'agent' }, 1);
      at.put(SERIES.endpoints, { node, state: 'ready' }, 10);
      if (values[k] !== null) {
        at.put(SERIES.endpoints, { node, state: 'waiting-for-identity' }, values[k]!);
      }
    }
    extra(k, w);
    w.commit();
  }
  return h;
}

const NOT_READY = {
  'node-a': [0, 0, 0, 0, 0, 0],
  'node-b': [0, 3, 0, 0, 0, 0], // briefly 3 not ready: its peak ranks it first
  'node-c': [1, 1, 1, 1, 1, 1],
  'node-d': [0, 0, 0, 0, 0, 0],
  'node-e': [2, null, null, 2, 2, 2],
};

const noCluster = {} as ClusterView;

async function answer(h: RingHistory, query: Omit<ScopeQuery, 'refId'>): Promise<DataFrameJSON[]> {
  const request = {
    from: 0,
    to: (CYCLES - 1) * INTERVAL,
    intervalMs: INTERVAL,
    maxDataPoints: 1000,
    queries: [{ refId: 'A', ...query } as ScopeQuery],
  };
  const results = await runQueries(
    request,
    { history: new EmbeddedBackend(h, INTERVAL).reader(), cluster: noCluster, kube: null },
    INTERVAL
  );
  expect(results.A.error).toBeUndefined();
  return results.A.frames;
}

const nameOf = (f: DataFrameJSON) => f.schema.fields[1].config?.displayNameFromDS;
const labelsOf = (f: DataFrameJSON) => f.schema.fields[1].labels;
const valuesOf = (f: DataFrameJSON) => f.data.values[1];
const notices = (frames: DataFrameJSON[]) =>
  frames.flatMap((f) => (f.schema.meta?.notices ?? []).map((n) => `${n.severity}: ${n.text}`));
const byNode = { queryType: 'endpoints', groupBy: 'node' } as const;

describe('topN', () => {
  const h = history(NOT_READY);

  test('keeps the nodes ranked first by their own signal over the range, highest first, every step', async () => {
    const out = await answer(h, { ...byNode, topN: 2 });
    expect(out.map(nameOf)).toEqual([
      'node-b ready',
      'node-b waiting-for-identity',
      'node-e ready',
      'node-e waiting-for-identity',
    ]);
    expect(valuesOf(out[1])).toEqual([0, 3, 0, 0, 0, 0]);
    expect(notices(out)).toEqual([
      'info: The 2 of 5 nodes ranked first by endpoints not ready (most at any point in the range).',
    ]);
  });

  test('ties go by node name, so the same nodes stay from one refresh to the next', async () => {
    const tied = history({ 'node-z': [1, 1, 1, 1, 1, 1], 'node-m': [1, 1, 1, 1, 1, 1], 'node-a': [1, 1, 1, 1, 1, 1] });
    const out = await answer(tied, { ...byNode, state: 'waiting-for-identity', topN: 2 });
    expect(out.map(nameOf)).toEqual(['node-a waiting-for-identity', 'node-m waiting-for-identity']);
  });

  test('others: the query\'s cluster view of the rest (here summed per state), named "other nodes (K)"', async () => {
    const out = await answer(h, { ...byNode, topN: 2, others: true });
    const others = out.filter((f) => labelsOf(f)?.others === '3');
    expect(others.map(nameOf)).toEqual(['other nodes (3) ready', 'other nodes (3) waiting-for-identity']);
    expect(others.map(valuesOf)).toEqual([
      [30, 30, 30, 30, 30, 30],
      [1, 1, 1, 1, 1, 1],
    ]);
    expect(labelsOf(others[0])).toEqual({ state: 'ready', others: '3' });
    expect(others[0].schema.fields[1].config?.description).toMatch(/^The 3 nodes outside the top N \(summed\)\. /);
    expect(notices(out)[0]).toMatch(/the other 3 as "other nodes" \(summed\)\.$/);
  });

  test('others of scrape durations are the slowest of them, as the cluster view is', async () => {
    const h2 = history({ a: [], b: [], c: [] }, (k, w) =>
      ['a', 'b', 'c'].forEach((node, i) =>
        w
          .at(`agent/${node}`, k * INTERVAL)
          .put(SERIES.scrapeDurationSeconds, { node, component: 'agent' }, k === 2 ? 5 - i : i)
      )
    );
    const out = await answer(h2, {
      queryType: 'agentHealth',
      view: 'scrapeDuration',
      groupBy: 'node',
      topN: 1,
      others: true,
    });
    expect(out.map(nameOf)).toEqual(['a scrape', 'other nodes (2) slowest agent scrape']);
    expect(notices(out)[0]).toBe(
      'info: The 1 of 3 nodes ranked first by slowest scrapes in the range; the other 2 as "other nodes" (the slowest of them).'
    );
  });

  test('a topN at or above the number of nodes keeps them all; no node with the signal says so', async () => {
    expect((await answer(h, { ...byNode, topN: 5 })).map((f) => labelsOf(f)?.node)).toEqual([
      'node-b',
      'node-b',
      'node-e',
      'node-e',
      'node-c',
      'node-c',
      'node-a',
      'node-a',
      'node-d',
      'node-d',
    ]);
    const healthy = history({ 'node-a': [null, null, null, null, null, null] });
    const none = await answer(healthy, { ...byNode, view: 'notReady', topN: 3 });
    expect(notices(none)).toEqual(['info: No node to rank by endpoints not ready (most at any point in the range).']);
    const withOthers = await answer(healthy, { ...byNode, view: 'notReady', topN: 3, others: true });
    expect(withOthers.map(nameOf)).toEqual([
      'other nodes (1) endpoints not ready',
      'other nodes (1) stuck not ready (10 min)',
    ]);
  });

  test('without groupBy node, topN changes nothing', async () => {
    expect(await answer(h, { queryType: 'endpoints', topN: 1, others: true })).toEqual(
      await answer(h, { queryType: 'endpoints' })
    );
  });
});

describe('the series cap', () => {
  const many = Object.fromEntries(
    Array.from({ length: 120 }, (_, i) => [`node-${String(i).padStart(3, '0')}`, [i % 7, 0, 0, 0, 0, 0]])
  );
  const h = history(many);

  test('past the limit, as many of the nodes ranked first as fit, and a warning naming the limit', async () => {
    const out = await answer(h, byNode);
    expect(out).toHaveLength(200);
    expect(notices(out)).toEqual([
      'warning: 240 series exceed the exporter\'s limit of 200 series per query: the 100 nodes ranked first by endpoints not ready (most at any point in the range) are shown. Set "Top N" in the query, or select fewer nodes.',
    ]);
    // The highest-ranked nodes are the ones kept: every node that peaked at 6 is there.
    const kept = new Set(out.map((f) => labelsOf(f)?.node));
    expect(
      Object.keys(many)
        .filter((n) => many[n][0] === 6)
        .every((n) => kept.has(n))
    ).toBe(true);
  });

  test('a topN past the limit is cut at it too', async () => {
    const out = await answer(h, { ...byNode, topN: 110 });
    expect(out).toHaveLength(200);
    expect(notices(out)).toEqual([
      'info: The 110 of 120 nodes ranked first by endpoints not ready (most at any point in the range).',
      expect.stringMatching(
        /^warning: 220 series exceed the exporter's limit of 200 series per query: the first 200, nodes ranked first by endpoints not ready/
      ),
    ]);
  });
});

test('every query type in every view has a rank signal or says it has none', () => {
  for (const type of QUERY_TYPE_ORDER) {
    const views = viewsOf(type).length ? viewsOf(type).map((v) => v.value) : [undefined];
    for (const view of views) {
      const spec = RANKS[type]({ refId: 'A', queryType: type, view });
      if (spec) {
        expect([type, view, spec.describe.length > 10, spec.signal.by]).toEqual([type, view, true, ['node']]);
      }
    }
  }
  expect(RANKS.agentHealth({ refId: 'A', queryType: 'agentHealth', view: 'status' })).toBeNull();
  expect(RANKS.policy({ refId: 'A', queryType: 'policy', view: 'revisionSkew' })).toBeNull();
});
