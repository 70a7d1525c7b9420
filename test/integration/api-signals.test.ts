/**
 * The one-question views and the series limits of POST /api/v1/query over loopback, on the preview's simulated
 * history (Kubernetes join on; unmanaged pods, failed regenerations and policy imports, an agent restart, a drop
 * spike and a target down made certain): each view agrees with the views it summarises, top N keeps the nodes
 * the events touched, and "other nodes" is what the cluster total leaves after the top N.
 */
import type { DataFrameJSON, QueryRequest, QueryResponse, ScopeQuery } from '../../src/contract';
import { runScopeHistory, type ScopeHistory } from '../../tools/preview/scope-history';

let history: ScopeHistory;

beforeAll(async () => {
  history = await runScopeHistory({ nodes: 8, historySeconds: 1200, tickSeconds: 10 });
}, 120_000);

afterAll(async () => {
  await history?.close();
});

async function post(body: unknown): Promise<Response> {
  return fetch(`${history.exporter.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${history.token}` },
    body: JSON.stringify(body),
  });
}

/** The queries over the run's range, at a 10 s step. */
function query(...queries: Array<Omit<ScopeQuery, 'refId'>>): Promise<DataFrameJSON[][]> {
  return queryOn({}, ...queries);
}

/** The queries over the run's range, at a 10 s step unless `grid` says otherwise. */
async function queryOn(
  grid: Partial<Pick<QueryRequest, 'intervalMs' | 'maxDataPoints'>>,
  ...queries: Array<Omit<ScopeQuery, 'refId'>>
): Promise<DataFrameJSON[][]> {
  const body: QueryRequest = {
    ...history.range,
    intervalMs: 10_000,
    maxDataPoints: 1000,
    ...grid,
    queries: queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), ...q }) as ScopeQuery),
  };
  const res = await post(body);
  expect(res.status).toBe(200);
  const json = (await res.json()) as QueryResponse;
  return body.queries.map((q) => {
    expect([q.refId, json.results[q.refId].error]).toEqual([q.refId, undefined]);
    return json.results[q.refId].frames;
  });
}

const labelsOf = (f: DataFrameJSON) => f.schema.fields[1]?.labels ?? {};
const valuesOf = (f: DataFrameJSON) => f.data.values[1] as Array<number | null>;
const last = (f: DataFrameJSON) =>
  valuesOf(f)
    .filter((v) => v !== null)
    .at(-1);
const nodesOf = (frames: DataFrameJSON[]) => [...new Set(frames.map((f) => labelsOf(f).node).filter(Boolean))];
const noticesOf = (frames: DataFrameJSON[]) => frames.flatMap((f) => (f.schema.meta?.notices ?? []).map((n) => n.text));

/** Step-wise sum of frames (null where none has a value). */
function sum(frames: DataFrameJSON[]): Array<number | null> {
  const length = Math.max(0, ...frames.map((f) => valuesOf(f).length));
  return Array.from({ length }, (_, i) => {
    const present = frames.map((f) => valuesOf(f)[i]).filter((v): v is number => v !== null && v !== undefined);
    return present.length ? present.reduce((a, b) => a + b, 0) : null;
  });
}

test('endpoints not ready: the non-ready states summed, per node and for the cluster', async () => {
  const [states, perNode, cluster] = await query(
    { queryType: 'endpoints', groupBy: 'node' },
    { queryType: 'endpoints', view: 'notReady', groupBy: 'node' },
    { queryType: 'endpoints', view: 'notReady' }
  );
  for (const node of history.sim.nodes) {
    const mine = states.filter((f) => labelsOf(f).node === node);
    const expected = sum(
      mine.filter((f) => !['ready', 'disconnecting', 'disconnected'].includes(labelsOf(f).state))
    ).map((v, i) => v ?? (sum(mine)[i] === null ? null : 0));
    const frame = perNode.find((f) => labelsOf(f).node === node);
    if (frame) {
      expect([node, valuesOf(frame)]).toEqual([node, expected]);
    }
  }
  expect(valuesOf(cluster[0])).toEqual(sum(perNode));
  expect(cluster[0].schema.fields[1].config?.displayNameFromDS).toBe('endpoints not ready');
  // Stuck: each node's fewest over the last ten minutes (60 steps of 10 s), summed.
  const fewest = (values: Array<number | null>) =>
    values.map((_, i) => {
      const window = values.slice(Math.max(0, i - 59), i + 1).filter((v): v is number => v !== null);
      return window.length ? Math.min(...window) : null;
    });
  const stuck = cluster.find((f) => labelsOf(f).series === 'stuck')!;
  expect(valuesOf(stuck)).toEqual(
    sum(perNode.map((f) => ({ ...f, data: { values: [f.data.values[0], fewest(valuesOf(f))] } })))
  );
  expect(valuesOf(stuck).every((v, i) => v === null || v <= valuesOf(cluster[0])[i]!)).toBe(true);
});

test('endpoints not ready at a step of ten minutes: the cluster summed by the history, stuck the same', async () => {
  const [perNode, cluster] = await queryOn(
    { intervalMs: 600_000, maxDataPoints: 100 },
    { queryType: 'endpoints', view: 'notReady', groupBy: 'node' },
    { queryType: 'endpoints', view: 'notReady' }
  );
  expect(valuesOf(cluster[0]).filter((v) => v !== null).length).toBeGreaterThan(0);
  expect(cluster.map(valuesOf)).toEqual([sum(perNode), sum(perNode)]);
  expect(cluster.map((f) => labelsOf(f).series)).toEqual([undefined, 'stuck']);
});

test('the delta view is the delta of the counts view; unmanaged pods over time end at the pods the run started', async () => {
  const [counts, delta, unmanaged, unmanagedPerNode] = await query(
    { queryType: 'podEndpointDelta', groupBy: 'node' },
    { queryType: 'podEndpointDelta', view: 'delta', groupBy: 'node' },
    { queryType: 'unmanagedPods', view: 'count' },
    { queryType: 'unmanagedPods', view: 'count', groupBy: 'node', topN: 2 }
  );
  expect(delta.map((f) => [labelsOf(f), valuesOf(f)])).toEqual(
    counts.filter((f) => labelsOf(f).series === 'delta').map((f) => [labelsOf(f), valuesOf(f)])
  );
  expect(last(unmanaged[0])).toBe(history.events.unmanagedPods.length);
  // The two nodes the run started unmanaged pods on.
  const touched = new Set(
    history.events.unmanagedPods.length ? [history.events.restart.node, history.events.importFailures.node] : []
  );
  expect(new Set(nodesOf(unmanagedPerNode))).toEqual(touched);
});

test('regeneration failures: the failure outcome of the rate view; top 1 is the node that failed them', async () => {
  const [rate, failures, top] = await query(
    { queryType: 'regeneration', view: 'rate', groupBy: 'node' },
    { queryType: 'regeneration', view: 'failures', groupBy: 'node' },
    { queryType: 'regeneration', view: 'failures', groupBy: 'node', topN: 1, others: true }
  );
  expect(failures.map((f) => [labelsOf(f).node, valuesOf(f)])).toEqual(
    rate.filter((f) => labelsOf(f).outcome === 'failure').map((f) => [labelsOf(f).node, valuesOf(f)])
  );
  expect(nodesOf(top)).toEqual([history.events.importFailures.node]);
  // "Other nodes" is the cluster's failures minus the top node's, step by step.
  const others = top.find((f) => labelsOf(f).others === String(history.sim.nodes.length - 1))!;
  const rest = failures.filter((f) => labelsOf(f).node !== history.events.importFailures.node);
  expect(valuesOf(others).map((v) => (v === null ? null : Math.round(v * 1e6)))).toEqual(
    sum(rest).map((v) => (v === null ? null : Math.round(v * 1e6)))
  );
  expect(noticesOf(top)).toEqual([
    `The 1 of ${history.sim.nodes.length} nodes ranked first by most regeneration failures in the range; the other ${history.sim.nodes.length - 1} as "other nodes" (summed).`,
  ]);
});

test('revision skew: the node that failed two policy imports is two changes behind at the end, the restarted one is not', async () => {
  const [skew, largest, top] = await query(
    { queryType: 'policy', view: 'revisionSkew', groupBy: 'node' },
    { queryType: 'policy', view: 'revisionSkew' },
    { queryType: 'policy', view: 'revisionSkew', groupBy: 'node', topN: 1, others: true }
  );
  const byNode = Object.fromEntries(skew.map((f) => [labelsOf(f).node, last(f)]));
  expect(byNode[history.events.importFailures.node]).toBe(history.events.importFailures.atMs.length);
  expect(byNode[history.events.restart.node]).toBe(0);
  expect(Math.min(...skew.map((f) => valuesOf(f).find((v) => v !== null)!))).toBe(0);
  expect(last(largest[0])).toBe(history.events.importFailures.atMs.length);
  // "Other nodes" as their largest skew (a sum of skews means nothing).
  expect(top.map((f) => labelsOf(f).node ?? labelsOf(f).others)).toEqual([
    history.events.importFailures.node,
    String(history.sim.nodes.length - 1),
  ]);
  expect(last(top[1])).toBe(0);
});

test('agents per version, and a status table limited to the targets most in need of attention', async () => {
  const [versions, status] = await query(
    { queryType: 'agentHealth', view: 'versions' },
    { queryType: 'agentHealth', view: 'status', limit: 3 }
  );
  const agents = versions[0].data.values[1] as number[];
  expect(agents.reduce((a, b) => a + b, 0)).toBe(history.sim.nodes.length);
  const [nodes, , up] = status[0].data.values as [string[], string[], number[]];
  expect(nodes).toHaveLength(3);
  expect([nodes[0], up[0]]).toEqual([history.events.down.node, 0]);
  expect(noticesOf(status)).toEqual([
    `3 of ${history.sim.nodes.length + 1} targets: those down, stale or failing first, then the slowest scrapes.`,
  ]);
});

test('anomaly summary: the drop rate of the drops view, its baseline, and the spiked series anomalous at the end', async () => {
  const [summary, drops] = await query({ queryType: 'anomaly', view: 'summary' }, { queryType: 'drops' });
  const series = Object.fromEntries(summary.map((f) => [labelsOf(f).series, f]));
  expect(Object.keys(series)).toEqual(['rate', 'baseline', 'upper band', 'ratio', 'anomalous']);
  const ratio = valuesOf(series.ratio);
  valuesOf(series.rate).forEach((r, i) => {
    const b = valuesOf(series.baseline)[i];
    expect(ratio[i]).toBe(r === null || !b ? null : r / b);
  });
  const round = (vs: Array<number | null>) => vs.map((v) => (v === null ? null : Math.round(v * 1000)));
  expect(round(valuesOf(series.rate))).toEqual(round(sum(drops)));
  expect(last(series.anomalous)).toBeGreaterThanOrEqual(1);
  expect(Math.max(...valuesOf(series.baseline).map((v) => v ?? 0))).toBeGreaterThan(0);
});

test('topN and others are validated, naming the field', async () => {
  const base = { ...history.range, queries: [{ refId: 'A', queryType: 'endpoints', groupBy: 'node' }] };
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ topN: 0 }, 'queries[0].topN', /at least 1/],
    [{ topN: 2.5 }, 'queries[0].topN', /whole number/],
    [{ topN: 1001 }, 'queries[0].topN', /at most 1000/],
    [{ topN: 3, others: 'yes' }, 'queries[0].others', /true or false/],
  ];
  for (const [extra, field, message] of cases) {
    const res = await post({ ...base, queries: [{ ...base.queries[0], ...extra }] });
    const body = (await res.json()) as { error: string; field: string };
    expect([res.status, body.field]).toEqual([400, field]);
    expect(body.error).toMatch(message);
  }
});
