/**
 * The series limits of the query API on frames as handlers answer them: top N nodes by the query's own signal
 * over the range, "other nodes" where a combination means something, and the hard cap with its notice.
 */
import { seriesFrame } from '../../../exporter/http/query/frames';
import { limitSeries } from '../../../exporter/http/query/limit';
import { RANK_SIGNALS, reduceOver } from '../../../exporter/http/query/rank-signals';
import { QUERY_TYPES, VIEWS_BY_TYPE } from '../../../exporter/http/query/validate';
import type { DataFrameJSON, QueryType, ScopeQuery } from '../../../src/contract';

const TIMES = [1000, 2000, 3000, 4000];

function frame(
  labels: Record<string, string>,
  values: Array<number | null>,
  name = `${labels.node ?? ''} ${labels.state ?? ''}`.trim()
): DataFrameJSON {
  return seriesFrame({
    refId: 'A',
    times: TIMES,
    values,
    labels,
    config: { displayNameFromDS: name, unit: 'none', description: 'Endpoints.' },
  });
}

const nameOf = (f: DataFrameJSON) => f.schema.fields[1].config?.displayNameFromDS;
const valuesOf = (f: DataFrameJSON) => f.data.values[1];
const notices = (frames: DataFrameJSON[]) =>
  frames.flatMap((f) => (f.schema.meta?.notices ?? []).map((n) => `${n.severity}: ${n.text}`));

/** Endpoints per node and state, as the endpoints handler answers them grouped by node. */
function endpointFrames(): DataFrameJSON[] {
  const notReady: Record<string, Array<number | null>> = {
    'node-a': [0, 0, 0, 0],
    'node-b': [0, 3, 0, 0], // briefly 3 not ready: its peak ranks it first
    'node-c': [1, 1, 1, 1],
    'node-d': [0, 0, 0, 0],
    'node-e': [2, null, null, 2],
  };
  return Object.entries(notReady).flatMap(([node, values]) => [
    frame({ node, state: 'ready' }, [10, 10, 10, 10]),
    frame({ node, state: 'waiting-for-identity' }, values),
  ]);
}

const q = (query: Partial<ScopeQuery>): ScopeQuery => ({
  refId: 'A',
  queryType: 'endpoints',
  groupBy: 'node',
  ...query,
});

describe('topN', () => {
  test('keeps the nodes ranked highest by their own signal over the range, in the order the handler gave', () => {
    const out = limitSeries(q({ topN: 2 }), endpointFrames());
    expect(out.map(nameOf)).toEqual([
      'node-b ready',
      'node-b waiting-for-identity',
      'node-e ready',
      'node-e waiting-for-identity',
    ]);
    expect(notices(out)).toEqual([
      'info: The 2 of 5 nodes ranked highest by endpoints not ready (most at any time in the range).',
    ]);
  });

  test('ties go by node name, so the same nodes stay from one refresh to the next', () => {
    const frames = ['node-z', 'node-m', 'node-a'].map((node) => frame({ node, state: 'not-ready' }, [1, 1, 1, 1]));
    const once = limitSeries(q({ topN: 2 }), frames).map(nameOf);
    expect(once).toEqual(['node-m not-ready', 'node-a not-ready']);
    expect(
      limitSeries(q({ topN: 2 }), [...frames].reverse())
        .map(nameOf)
        .sort()
    ).toEqual([...once].sort());
  });

  test('others: the rest summed per remaining label set, named "other nodes (K)"', () => {
    const out = limitSeries(q({ topN: 2, others: true }), endpointFrames());
    const others = out.filter((f) => f.schema.fields[1].labels?.others === '3');
    expect(others.map(nameOf)).toEqual(['other nodes (3) ready', 'other nodes (3) waiting-for-identity']);
    expect(others.map(valuesOf)).toEqual([
      [30, 30, 30, 30],
      [1, 1, 1, 1],
    ]);
    expect(others[0].schema.fields[1].labels).toEqual({ state: 'ready', others: '3' });
    expect(others[0].schema.fields[1].config?.description).toMatch(
      /^Sum over the 3 nodes outside the top N\. Endpoints\.$/
    );
    expect(notices(out)[0]).toMatch(/the other 3 summed as "other nodes"/);
  });

  test('others where only the maximum means something (scrape duration), and none where nothing does (revision)', () => {
    const durations = ['a', 'b', 'c'].map((n, i) =>
      frame({ node: n, component: 'agent' }, [i, 5 - i, null, 1], `${n} scrape`)
    );
    const slow = limitSeries(
      { refId: 'A', queryType: 'agentHealth', view: 'scrapeDuration', groupBy: 'node', topN: 1, others: true },
      durations
    );
    expect(slow.map(nameOf)).toEqual(['a scrape', 'other nodes (2) scrape']);
    expect(valuesOf(slow[1])).toEqual([2, 4, null, 1]);
    const revisions = ['a', 'b', 'c'].map((n, i) => frame({ node: n }, [10 * i, 10 * i + 1, 10 * i + i, 10 * i + i]));
    const skew = limitSeries(
      { refId: 'A', queryType: 'policy', view: 'revision', groupBy: 'node', topN: 1, others: true },
      revisions
    );
    // Fewest revisions applied in the range first: node a applied none.
    expect(skew.map((f) => f.schema.fields[1].labels?.node)).toEqual(['a']);
  });

  test('frames without a node (cluster aggregates, empty answers) are kept as they are', () => {
    const cluster = frame({ state: 'ready' }, [50, 50, 50, 50], 'ready');
    const out = limitSeries(q({ topN: 1, others: true }), [cluster, ...endpointFrames()]);
    expect(out[0]).toEqual(cluster);
    expect(limitSeries(q({ topN: 1 }), [cluster])).toEqual([cluster]);
  });

  test('a topN at or above the number of nodes, or none under the cap, changes nothing (not even the order)', () => {
    const frames = endpointFrames();
    expect(limitSeries(q({ topN: 5, others: true }), frames)).toEqual(frames);
    expect(limitSeries(q({}), frames)).toEqual(frames);
  });
});

describe('the series cap', () => {
  const many = Array.from({ length: 300 }, (_, i) =>
    frame({ node: `node-${String(i).padStart(3, '0')}`, state: 'not-ready' }, [i % 7, 0, 0, 0])
  );

  test('cuts an answer past the limit and says so, naming the limit', () => {
    const out = limitSeries(q({}), many);
    expect(out).toHaveLength(200);
    expect(notices(out)).toEqual([
      expect.stringMatching(
        /^warning: 300 series exceed the exporter's limit of 200 series per query: the first 200 are shown \(the nodes ranked highest by endpoints not ready/
      ),
    ]);
    // The highest-ranked nodes are the ones kept.
    expect(out.every((f) => valuesOf(f)[0] !== null)).toBe(true);
    expect(out.filter((f) => valuesOf(f)[0] === 6).length).toBe(many.filter((f) => valuesOf(f)[0] === 6).length);
  });

  test('applies to unranked answers too, and to a limit set by the caller', () => {
    const unranked = many.map((f) => ({
      ...f,
      schema: { ...f.schema, fields: [f.schema.fields[0], { ...f.schema.fields[1], labels: {} }] },
    }));
    const out = limitSeries({ refId: 'A', queryType: 'unmanagedPods' }, unranked, { maxSeries: 10 });
    expect(out).toHaveLength(10);
    expect(notices(out)[0]).toMatch(
      /limit of 10 series per query: the first 10 are shown \(in the order of their labels\)/
    );
    expect(limitSeries(q({ topN: 5 }), many, { maxSeries: 10 })).toHaveLength(5);
  });
});

describe('rank signals', () => {
  test('every query type in every view has a signal or says it has none', () => {
    for (const type of QUERY_TYPES) {
      const views: ReadonlyArray<string | undefined> = (VIEWS_BY_TYPE as Partial<Record<QueryType, readonly string[]>>)[
        type
      ] ?? [undefined];
      for (const view of views) {
        const signal = RANK_SIGNALS[type]({ refId: 'A', queryType: type, view: view as ScopeQuery['view'] });
        if (signal) {
          expect([type, view, signal.describe.length > 10, [null, 'sum', 'max'].includes(signal.others)]).toEqual([
            type,
            view,
            true,
            true,
          ]);
        }
      }
    }
    expect(RANK_SIGNALS.agentHealth({ refId: 'A', queryType: 'agentHealth', view: 'status' })).toBeNull();
    expect(RANK_SIGNALS.regeneration({ refId: 'A', queryType: 'regeneration' })?.others).toBeNull();
  });

  test('the pod/endpoint delta ranks by its size either way, from the delta series only', () => {
    const signal = RANK_SIGNALS.podEndpointDelta({ refId: 'A', queryType: 'podEndpointDelta' })!;
    const node = (pods: number, delta: number[]) => [
      { labels: { node: 'n', series: 'pods' }, values: [pods] },
      { labels: { node: 'n', series: 'delta' }, values: delta },
    ];
    expect(signal.score(node(100, [0, -4, 1]))).toBe(4);
    expect(signal.score(node(5, [0, 2, 1]))).toBe(2);
  });

  test('reduceOver skips gaps as the _over_time functions do', () => {
    expect(reduceOver([1, null, 3], 'mean')).toBe(2);
    expect(reduceOver([null, 2, null, 5, null], 'first')).toBe(2);
    expect(reduceOver([null, 2, null, 5, null], 'last')).toBe(5);
    expect(reduceOver([null, null], 'max')).toBeNull();
    expect(reduceOver([4, -1, 2], 'min')).toBe(-1);
    expect(reduceOver([4, -1, 2], 'sum')).toBe(5);
  });
});
