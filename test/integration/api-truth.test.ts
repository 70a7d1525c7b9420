/**
 * The exporter's API and /metrics against the simulator's ground truth: every query type, over loopback, with the
 * exporter's clock on simulated time so rates are exact.
 */
import type { RunningExporter } from '../../exporter/app';
import { histogramQuantile } from '../../exporter/model/rates';
import type { RunningSimulator, SimulatorTruth } from '../../simulator';
import type { DataFrameJSON, QueryRequest, QueryResponse, ScopeQuery } from '../../src/contract';
import { readExposition, seriesId } from '../support/exposition';
import { type ScrapedCluster, startScrapedCluster } from '../support/scrapedCluster';

// History keeps rates as 32-bit floats: equal to the truth within float32's relative precision.
expect.extend({
  toBeCloseTo32(received: number | null | undefined, expected: number) {
    const pass = typeof received === 'number' && Math.abs(received - expected) <= Math.max(1e-9, Math.abs(expected) * 2e-7);
    return { pass, message: () => `expected ${received} to equal ${expected} within float32 precision` };
  },
});
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toBeCloseTo32(expected: number): R;
    }
  }
}

const TICKS = 8;
const NODES = 4;
let sim: RunningSimulator;
let exporter: RunningExporter;
const truths: SimulatorTruth[] = [];
let t0 = 0;
let tickMs = 0;

let cluster: ScrapedCluster;

beforeAll(async () => {
  cluster = await startScrapedCluster({
    nodes: NODES,
    seed: 11,
    ticks: TICKS,
    onTick: (_tick, simulator) => truths.push(simulator.truth()),
  });
  ({ sim, exporter } = cluster);
  tickMs = cluster.range.intervalMs;
  expect(cluster.scrapes.map((s) => s.failed)).toEqual(Array(TICKS).fill(0));
  t0 = truths[0].timeSeconds * 1000;
});
afterAll(async () => {
  await cluster?.close();
});

async function query(queries: Array<Omit<ScopeQuery, 'refId'>>): Promise<Record<string, DataFrameJSON[]>> {
  const body: QueryRequest = {
    from: t0,
    to: truths[TICKS - 1].timeSeconds * 1000,
    intervalMs: tickMs,
    maxDataPoints: 1000,
    queries: queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), ...q }) as ScopeQuery),
  };
  const res = await fetch(`${exporter.url}/api/v1/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  const json = (await res.json()) as QueryResponse;
  return Object.fromEntries(Object.entries(json.results).map(([k, v]) => {
    expect(v.error).toBeUndefined();
    return [k, v.frames];
  }));
}

/** A frame's points as time → value. */
function points(frame: DataFrameJSON): Map<number, number | null> {
  const [times, values] = frame.data.values as [number[], Array<number | null>];
  return new Map(times.map((t, i) => [t, values[i]]));
}

function frameWith(frames: DataFrameJSON[], labels: Record<string, string>): DataFrameJSON {
  const found = frames.find((f) => {
    const l = f.schema.fields[1]?.labels ?? {};
    return Object.entries(labels).every(([k, v]) => l[k] === v);
  });
  if (!found) {
    throw new Error(`no frame with ${JSON.stringify(labels)} among ${frames.map((f) => JSON.stringify(f.schema.fields[1]?.labels)).join(' ')}`);
  }
  return found;
}

const timeOf = (k: number) => truths[k].timeSeconds * 1000;
const agentOf = (k: number, node: string) => truths[k].nodes[node].agent!;
const sumOver = (k: number, f: (node: string) => number) => sim.nodes.reduce((acc, n) => acc + f(n), 0);

test('endpoints by state, per node and cluster-wide, at every scrape', async () => {
  const { A: perNode, B: cluster } = await query([{ queryType: 'endpoints', groupBy: 'node' }, { queryType: 'endpoints' }]);
  for (let k = 0; k < TICKS; k++) {
    for (const node of sim.nodes) {
      for (const [state, count] of Object.entries(agentOf(k, node).endpointStates)) {
        expect([node, state, k, points(frameWith(perNode, { node, state })).get(timeOf(k))]).toEqual([node, state, k, count]);
      }
    }
    const ready = sumOver(k, (n) => agentOf(k, n).endpointStates.ready ?? 0);
    expect(points(frameWith(cluster, { state: 'ready' })).get(timeOf(k))).toBe(ready);
  }
});

test('forwarded and dropped packets per second by direction match the counters\' increases', async () => {
  const { A: flow, B: flowBytes } = await query([{ queryType: 'packetFlow' }, { queryType: 'packetFlow', unit: 'bytes', groupBy: 'node' }]);
  for (let k = 1; k < TICKS; k++) {
    for (const direction of ['INGRESS', 'EGRESS']) {
      const fwd = (j: number, n: string) => agentOf(j, n).forwarded.find((f) => f.direction === direction)!.packets;
      const expected = sumOver(k, (n) => fwd(k, n) - fwd(k - 1, n)) / (tickMs / 1000);
      expect(points(frameWith(flow, { direction, verdict: 'forwarded' })).get(timeOf(k))).toBeCloseTo32(expected);
      const drops = (j: number, n: string) => agentOf(j, n).dropped.filter((d) => d.direction === direction).reduce((a, d) => a + d.packets, 0);
      const expectedDrops = sumOver(k, (n) => drops(k, n) - drops(k - 1, n)) / (tickMs / 1000);
      const dropped = frames(flow, { direction, verdict: 'dropped' });
      expect(dropped === null ? 0 : (points(dropped).get(timeOf(k)) ?? 0)).toBeCloseTo32(expectedDrops);
      const node = sim.nodes[0];
      const bytes = (j: number) => agentOf(j, node).forwarded.find((f) => f.direction === direction)!.bytes!;
      expect(points(frameWith(flowBytes, { node, direction, verdict: 'forwarded' })).get(timeOf(k))).toBeCloseTo32((bytes(k) - bytes(k - 1)) / (tickMs / 1000));
    }
  }
});

function frames(list: DataFrameJSON[], labels: Record<string, string>): DataFrameJSON | null {
  try {
    return frameWith(list, labels);
  } catch {
    return null;
  }
}

test('drops by direction and reason', async () => {
  const { A: drops } = await query([{ queryType: 'drops', groupBy: 'node' }]);
  let checked = 0;
  for (let k = 1; k < TICKS; k++) {
    for (const node of sim.nodes) {
      const before = new Map(agentOf(k - 1, node).dropped.map((d) => [`${d.direction}/${d.reason}`, d.packets]));
      for (const d of agentOf(k, node).dropped) {
        const expected = (d.packets - (before.get(`${d.direction}/${d.reason}`) ?? 0)) / (tickMs / 1000);
        const frame = frameWith(drops, { node, direction: d.direction, reason: d.reason });
        expect(points(frame).get(timeOf(k))).toBeCloseTo32(expected);
        expect(frame.schema.fields[1].config?.description).toBeTruthy();
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThan(10);
});

test('regeneration rate by outcome and latency quantiles from the bucket increases', async () => {
  const { A: rate, B: latency } = await query([{ queryType: 'regeneration', view: 'rate' }, { queryType: 'regeneration', view: 'latency', quantiles: [0.5, 0.99] }]);
  for (let k = 1; k < TICKS; k++) {
    const success = sumOver(k, (n) => (agentOf(k, n).regenerations.success ?? 0) - (agentOf(k - 1, n).regenerations.success ?? 0)) / (tickMs / 1000);
    expect(points(frameWith(rate, { outcome: 'success' })).get(timeOf(k)) ?? 0).toBeCloseTo32(success);
    const h = (j: number, n: string) => agentOf(j, n).regenerationTime!;
    const bounds = h(k, sim.nodes[0]).upperBounds;
    const buckets = bounds.map((le, i) => ({ le, count: sumOver(k, (n) => h(k, n).cumulativeCounts[i] - h(k - 1, n).cumulativeCounts[i]) }));
    const p50 = histogramQuantile(0.5, buckets);
    const got = frames(latency, { quantile: '0.5' });
    if (Number.isFinite(p50)) {
      expect(points(got!).get(timeOf(k))).toBeCloseTo32(p50);
    } else {
      expect(got === null || points(got).get(timeOf(k)) === null).toBe(true);
    }
  }
});

test('policy: counts (max and min over nodes), import errors, enforcement', async () => {
  const { A: count, B: errors, C: enforcement } = await query([
    { queryType: 'policy' },
    { queryType: 'policy', view: 'importErrors' },
    { queryType: 'policy', view: 'enforcement' },
  ]);
  const k = TICKS - 1;
  const policies = sim.nodes.map((n) => agentOf(k, n).policies!);
  expect(points(frameWith(count, { aggregate: 'max' })).get(timeOf(k))).toBe(Math.max(...policies));
  expect(points(frameWith(count, { aggregate: 'min' })).get(timeOf(k))).toBe(Math.min(...policies));
  const totalErrors = sumOver(k, (n) => agentOf(k, n).policyImportErrors! - agentOf(0, n).policyImportErrors!);
  const errorFrame = errors.find((f) => f.schema.fields.length === 2 && f.data.values[0].length > 0);
  const summed = errorFrame ? (errorFrame.data.values[1] as Array<number | null>).reduce<number>((a, v) => a + (v ?? 0), 0) : 0;
  expect(summed).toBe(totalErrors);
  for (const [mode, n] of Object.entries(sim.nodes.reduce<Record<string, number>>((acc, node) => {
    for (const [m, c] of Object.entries(agentOf(k, node).enforcement)) {
      acc[m] = (acc[m] ?? 0) + c;
    }
    return acc;
  }, {}))) {
    expect(points(frameWith(enforcement, { enforcement: mode })).get(timeOf(k))).toBe(n);
  }
});

test('agent health: status table, targets up, scrape durations', async () => {
  const { A: table, B: up, C: duration } = await query([{ queryType: 'agentHealth' }, { queryType: 'agentHealth', view: 'up' }, { queryType: 'agentHealth', view: 'scrapeDuration', groupBy: 'node' }]);
  const [t] = table;
  const names = t.schema.fields.map((f) => f.name);
  const col = (name: string) => t.data.values[names.indexOf(name)];
  expect(col('Node')).toEqual([...sim.nodes, '']);
  expect(col('Component')).toEqual([...sim.nodes.map(() => 'agent'), 'operator']);
  expect(col('Up')).toEqual([...sim.nodes.map(() => 1), 1]);
  expect(col('Cilium version')).toEqual([...sim.nodes.map((n) => agentOf(TICKS - 1, n).ciliumVersion), '']);
  expect(col('Endpoints')).toEqual([...sim.nodes.map((n) => agentOf(TICKS - 1, n).endpoints), null]);
  expect(points(frameWith(up, { status: 'up' })).get(timeOf(TICKS - 1))).toBe(NODES + 1);
  expect(points(frameWith(up, { status: 'down' })).get(timeOf(TICKS - 1))).toBe(0);
  expect(duration.length).toBe(NODES + 1);
});

test('pod/endpoint delta without Kubernetes shows pod endpoints and says why pods are missing', async () => {
  const { A: delta, B: unmanaged, C: anomaly } = await query([{ queryType: 'podEndpointDelta', groupBy: 'node' }, { queryType: 'unmanagedPods' }, { queryType: 'anomaly', view: 'scores' }]);
  const k = TICKS - 1;
  for (const node of sim.nodes) {
    expect(points(frameWith(delta, { node })).get(timeOf(k))).toBe(agentOf(k, node).endpoints! - 2);
  }
  expect(delta[0].schema.meta?.notices?.[0].text).toMatch(/Kubernetes is not configured/);
  expect(unmanaged[0].schema.meta?.notices?.[0].text).toMatch(/Kubernetes is not configured/);
  expect(anomaly).toHaveLength(1);
});

test('/metrics carries the agents\' cumulative counters exactly', async () => {
  const metrics = readExposition(await (await fetch(`${exporter.url}/metrics`)).text());
  const k = TICKS - 1;
  for (const node of sim.nodes) {
    const a = agentOf(k, node);
    expect(metrics.get(seriesId('ciliumscope_endpoints_total', { node }))).toBe(a.endpoints);
    for (const d of a.dropped) {
      expect(metrics.get(seriesId('ciliumscope_dropped_packets_total', { node, direction: d.direction, reason: d.reason }))).toBe(d.packets);
    }
    for (const f of a.forwarded) {
      expect(metrics.get(seriesId('ciliumscope_forwarded_bytes_total', { node, direction: f.direction }))).toBe(f.bytes);
    }
    expect(metrics.get(seriesId('ciliumscope_policy_import_errors_total', { node }))).toBe(a.policyImportErrors);
    expect(metrics.get(seriesId('ciliumscope_endpoint_regenerations_total', { node, outcome: 'success' }))).toBe(a.regenerations.success);
  }
  const op = truths[k].operator.sample;
  for (const [type, v] of Object.entries(op.ipamIps)) {
    expect(metrics.get(seriesId('ciliumscope_operator_ipam_ips', { type }))).toBe(v);
  }
  expect(metrics.get(seriesId('ciliumscope_target_up', { node: '', component: 'operator' }))).toBe(1);
});

describe('invalid input', () => {
  const post = (body: unknown, raw?: string) =>
    fetch(`${exporter.url}/api/v1/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
  test.each([
    [{ from: 0, to: 1, queries: [{ refId: 'A', queryType: 'nope' }] }, 'queries[0].queryType'],
    [{ from: 0, to: 1, queries: [] }, 'queries'],
    [{ from: 10, to: 1, queries: [{ refId: 'A', queryType: 'endpoints' }] }, 'to'],
    [{ to: 1, queries: [{ refId: 'A', queryType: 'endpoints' }] }, 'from'],
    [{ from: 0, to: 1, queries: [{ refId: 'A', queryType: 'policy', view: 'bands' }] }, 'queries[0].view'],
    [{ from: 0, to: 1, queries: [{ refId: 'A', queryType: 'endpoints' }, { refId: 'A', queryType: 'drops' }] }, 'queries[1].refId'],
    [{ from: 0, to: 1, queries: [{ refId: 'A', queryType: 'regeneration', quantiles: [1.5] }] }, 'queries[0].quantiles[0]'],
    [[1, 2], 'body'],
  ])('400 naming the field: %j', async (body, field) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string; field: string };
    expect(json.field).toBe(field);
    expect(json.error.startsWith(field === 'body' ? 'body' : field)).toBe(true);
    expect(JSON.stringify(json)).not.toMatch(/at .*\.ts:\d+/);
  });
  test('malformed JSON and oversized bodies', async () => {
    const bad = await post(undefined, '{"from": 0,');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'body is not valid JSON', field: 'body' });
    const big = await post(undefined, JSON.stringify({ from: 0, to: 1, queries: [{ refId: 'A', queryType: 'endpoints', node: 'x'.repeat(300_000) }] }));
    expect(big.status).toBe(413);
  });
  test('unknown routes answer JSON 404', async () => {
    const res = await fetch(`${exporter.url}/api/v1/nothing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/no such API route/);
  });
});
