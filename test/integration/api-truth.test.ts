/**
 * The exporter's API and /metrics against the simulator's ground truth: every query type, over loopback, with the
 * exporter's clock on simulated time so rates are exact. The API has Prometheus's step semantics: a gauge's point is
 * the last sample at or before it; a rate's point is over the window of 4 scrape intervals ending at it (the step is
 * one interval here), which at the 5th scrape and later starts exactly at a sample, so the rate is the counter's
 * increase over the window divided by its length, with no extrapolation: that is what is checked against the truth.
 */
import type { RunningExporter } from '../../exporter/app';
import { bucketQuantile } from '../../exporter/history/promql-math';
import type { RunningSimulator, SimulatorTruth } from '../../simulator';
import type { DataFrameJSON, QueryRequest, QueryResponse, ScopeQuery } from '../../src/contract';
import { readExposition, seriesId } from '../support/exposition';
import { type ScrapedCluster, startScrapedCluster } from '../support/scrapedCluster';

// Gauges are kept as 32-bit floats; rates are computed in 64 bits from the counters: within float32's precision.
expect.extend({
  toBeCloseTo32(received: number | null | undefined, expected: number) {
    const pass =
      typeof received === 'number' && Math.abs(received - expected) <= Math.max(1e-9, Math.abs(expected) * 2e-7);
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
  const res = await fetch(`${exporter.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  const json = (await res.json()) as QueryResponse;
  return Object.fromEntries(
    Object.entries(json.results).map(([k, v]) => {
      expect(v.error).toBeUndefined();
      return [k, v.frames];
    })
  );
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
    throw new Error(
      `no frame with ${JSON.stringify(labels)} among ${frames.map((f) => JSON.stringify(f.schema.fields[1]?.labels)).join(' ')}`
    );
  }
  return found;
}

const timeOf = (k: number) => truths[k].timeSeconds * 1000;
/** Scrapes per rate window: the window is 4 intervals, so it spans 4 ticks, from sample k - 4 to sample k. */
const WINDOW_TICKS = 4;
const windowSeconds = () => (WINDOW_TICKS * tickMs) / 1000;
/** Steps whose rate window starts at a sample (the first ones reach back before the first scrape). */
const fullWindows = () => Array.from({ length: TICKS - WINDOW_TICKS }, (_, i) => i + WINDOW_TICKS);
const agentOf = (k: number, node: string) => truths[k].nodes[node].agent!;
const sumOver = (k: number, f: (node: string) => number) => sim.nodes.reduce((acc, n) => acc + f(n), 0);

test('endpoints by state, per node and cluster-wide, at every scrape', async () => {
  const { A: perNode, B: cluster } = await query([
    { queryType: 'endpoints', groupBy: 'node' },
    { queryType: 'endpoints' },
  ]);
  for (let k = 0; k < TICKS; k++) {
    for (const node of sim.nodes) {
      for (const [state, count] of Object.entries(agentOf(k, node).endpointStates)) {
        expect([node, state, k, points(frameWith(perNode, { node, state })).get(timeOf(k))]).toEqual([
          node,
          state,
          k,
          count,
        ]);
      }
    }
    const ready = sumOver(k, (n) => agentOf(k, n).endpointStates.ready ?? 0);
    expect(points(frameWith(cluster, { state: 'ready' })).get(timeOf(k))).toBe(ready);
  }
});

test("forwarded and dropped packets per second by direction match the counters' increases over the window", async () => {
  const { A: flow, B: flowBytes } = await query([
    { queryType: 'packetFlow' },
    { queryType: 'packetFlow', unit: 'bytes', groupBy: 'node' },
  ]);
  let checkedDrops = 0;
  for (const k of fullWindows()) {
    const j = k - WINDOW_TICKS;
    for (const direction of ['INGRESS', 'EGRESS']) {
      const fwd = (i: number, n: string) => agentOf(i, n).forwarded.find((f) => f.direction === direction)!.packets;
      const expected = sumOver(k, (n) => fwd(k, n) - fwd(j, n)) / windowSeconds();
      expect(points(frameWith(flow, { direction, verdict: 'forwarded' })).get(timeOf(k))).toBeCloseTo32(expected);
      // A drop series born inside the window is extrapolated as Prometheus does: compare only when all were there.
      const reasons = (i: number) =>
        sim.nodes.flatMap((n) =>
          agentOf(i, n)
            .dropped.filter((d) => d.direction === direction)
            .map((d) => `${n}/${d.reason}`)
        );
      if (reasons(k).every((r) => reasons(j).includes(r))) {
        const drops = (i: number, n: string) =>
          agentOf(i, n)
            .dropped.filter((d) => d.direction === direction)
            .reduce((a, d) => a + d.packets, 0);
        const expectedDrops = sumOver(k, (n) => drops(k, n) - drops(j, n)) / windowSeconds();
        const dropped = frames(flow, { direction, verdict: 'dropped' });
        expect(dropped === null ? 0 : (points(dropped).get(timeOf(k)) ?? 0)).toBeCloseTo32(expectedDrops);
        checkedDrops++;
      }
      const node = sim.nodes[0];
      const bytes = (i: number) => agentOf(i, node).forwarded.find((f) => f.direction === direction)!.bytes!;
      expect(points(frameWith(flowBytes, { node, direction, verdict: 'forwarded' })).get(timeOf(k))).toBeCloseTo32(
        (bytes(k) - bytes(j)) / windowSeconds()
      );
    }
  }
  expect(checkedDrops).toBeGreaterThan(0);
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
  for (const k of fullWindows()) {
    for (const node of sim.nodes) {
      const before = new Map(
        agentOf(k - WINDOW_TICKS, node).dropped.map((d) => [`${d.direction}/${d.reason}`, d.packets])
      );
      for (const d of agentOf(k, node).dropped) {
        const start = before.get(`${d.direction}/${d.reason}`);
        if (start === undefined) {
          continue;
        }
        const frame = frameWith(drops, { node, direction: d.direction, reason: d.reason });
        expect(points(frame).get(timeOf(k))).toBeCloseTo32((d.packets - start) / windowSeconds());
        expect(frame.schema.fields[1].config?.description).toBeTruthy();
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThan(10);
});

test('regeneration rate by outcome and latency quantiles from the bucket increases', async () => {
  const { A: rate, B: latency } = await query([
    { queryType: 'regeneration', view: 'rate' },
    { queryType: 'regeneration', view: 'latency', quantiles: [0.5, 0.99] },
  ]);
  let quantiles = 0;
  for (const k of fullWindows()) {
    const j = k - WINDOW_TICKS;
    const success =
      sumOver(k, (n) => (agentOf(k, n).regenerations.success ?? 0) - (agentOf(j, n).regenerations.success ?? 0)) /
      windowSeconds();
    expect(points(frameWith(rate, { outcome: 'success' })).get(timeOf(k)) ?? 0).toBeCloseTo32(success);
    const h = (i: number, n: string) => agentOf(i, n).regenerationTime!;
    const bounds = h(k, sim.nodes[0]).upperBounds;
    const buckets = bounds.map((le, i) => ({
      le,
      count: sumOver(k, (n) => h(k, n).cumulativeCounts[i] - h(j, n).cumulativeCounts[i]) / windowSeconds(),
    }));
    const p50 = bucketQuantile(0.5, buckets);
    const got = frames(latency, { quantile: '0.5' });
    if (Number.isFinite(p50)) {
      expect(points(got!).get(timeOf(k))).toBeCloseTo32(p50);
      quantiles++;
    } else {
      expect(got === null || points(got).get(timeOf(k)) === null).toBe(true);
    }
  }
  expect(quantiles).toBeGreaterThan(0);
});

test('policy: counts (max and min over nodes), import errors, enforcement', async () => {
  const {
    A: count,
    B: errors,
    C: enforcement,
  } = await query([
    { queryType: 'policy' },
    { queryType: 'policy', view: 'importErrors' },
    { queryType: 'policy', view: 'enforcement' },
  ]);
  const k = TICKS - 1;
  const policies = sim.nodes.map((n) => agentOf(k, n).policies!);
  expect(points(frameWith(count, { aggregate: 'max' })).get(timeOf(k))).toBe(Math.max(...policies));
  expect(points(frameWith(count, { aggregate: 'min' })).get(timeOf(k))).toBe(Math.min(...policies));
  // Failed imports over the rate window ending at the last scrape: the counters' increase over 4 scrapes.
  const totalErrors = sumOver(
    k,
    (n) => agentOf(k, n).policyImportErrors! - agentOf(k - WINDOW_TICKS, n).policyImportErrors!
  );
  expect(points(errors[0]).get(timeOf(k))).toBeCloseTo32(totalErrors);
  for (const [mode, n] of Object.entries(
    sim.nodes.reduce<Record<string, number>>((acc, node) => {
      for (const [m, c] of Object.entries(agentOf(k, node).enforcement)) {
        acc[m] = (acc[m] ?? 0) + c;
      }
      return acc;
    }, {})
  )) {
    expect(points(frameWith(enforcement, { enforcement: mode })).get(timeOf(k))).toBe(n);
  }
});

test('agent health: status table, targets up, scrape durations', async () => {
  const {
    A: table,
    B: up,
    C: duration,
  } = await query([
    { queryType: 'agentHealth' },
    { queryType: 'agentHealth', view: 'up' },
    { queryType: 'agentHealth', view: 'scrapeDuration', groupBy: 'node' },
  ]);
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
  const {
    A: delta,
    B: unmanaged,
    C: anomaly,
  } = await query([
    { queryType: 'podEndpointDelta', groupBy: 'node' },
    { queryType: 'unmanagedPods' },
    { queryType: 'anomaly', view: 'scores' },
  ]);
  const k = TICKS - 1;
  for (const node of sim.nodes) {
    expect(points(frameWith(delta, { node })).get(timeOf(k))).toBe(agentOf(k, node).endpoints! - 2);
  }
  expect(delta[0].schema.meta?.notices?.[0].text).toMatch(
    /No pod counts in this range: no exporter writing this history watches Kubernetes/
  );
  expect(unmanaged[0].schema.meta?.notices?.[0].text).toMatch(/Kubernetes is not configured/);
  expect(anomaly).toHaveLength(1);
});

test('the rightmost point is the current value, and no point is after `to`, wherever `to` falls between scrapes', async () => {
  const last = TICKS - 1;
  for (const [ahead, intervalMs] of [
    [0, tickMs],
    [1, tickMs],
    [tickMs / 2, tickMs],
    [tickMs - 1, tickMs],
    [2500, 1000],
    [7 * tickMs, 3 * tickMs],
  ]) {
    const to = timeOf(last) + ahead;
    const body: QueryRequest = {
      from: t0,
      to,
      intervalMs,
      maxDataPoints: 1000,
      queries: [{ refId: 'A', queryType: 'endpoints', groupBy: 'node' }],
    };
    const res = (await (
      await fetch(`${exporter.url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as QueryResponse;
    for (const node of sim.nodes) {
      const frame = frameWith(res.results.A.frames, { node, state: 'ready' });
      const [times, values] = frame.data.values as [number[], Array<number | null>];
      expect(times[times.length - 1]).toBeLessThanOrEqual(to);
      expect(to - times[times.length - 1]).toBeLessThan(Math.max(intervalMs, tickMs));
      expect([ahead, node, values[values.length - 1]]).toEqual([ahead, node, agentOf(last, node).endpointStates.ready]);
    }
  }
});

test("/metrics carries the agents' cumulative counters exactly, at the time of their scrape", async () => {
  const metrics = readExposition(await (await fetch(`${exporter.url}/metrics`)).text());
  const k = TICKS - 1;
  for (const node of sim.nodes) {
    const a = agentOf(k, node);
    expect(metrics.get(seriesId('ciliumscope_endpoints_total', { node }))).toBe(a.endpoints);
    for (const d of a.dropped) {
      expect(
        metrics.get(seriesId('ciliumscope_dropped_packets_total', { node, direction: d.direction, reason: d.reason }))
      ).toBe(d.packets);
    }
    for (const f of a.forwarded) {
      expect(metrics.get(seriesId('ciliumscope_forwarded_bytes_total', { node, direction: f.direction }))).toBe(
        f.bytes
      );
    }
    expect(metrics.get(seriesId('ciliumscope_policy_import_errors_total', { node }))).toBe(a.policyImportErrors);
    expect(metrics.get(seriesId('ciliumscope_endpoint_regenerations_total', { node, outcome: 'success' }))).toBe(
      a.regenerations.success
    );
  }
  const op = truths[k].operator.sample;
  for (const [type, v] of Object.entries(op.ipamIps)) {
    expect(metrics.get(seriesId('ciliumscope_operator_ipam_ips', { type }))).toBe(v);
  }
  expect(metrics.get(seriesId('ciliumscope_target_up', { node: '', component: 'operator' }))).toBe(1);
  const page = await (await fetch(`${exporter.url}/metrics`)).text();
  const scrapedAt = String(timeOf(k));
  const line = (prefix: string) => page.split('\n').find((l) => l.startsWith(prefix))!;
  // Agent series carry their scrape's time; the exporter's view of its targets does not (staleness markers).
  expect(line(`ciliumscope_dropped_packets_total{node="${sim.nodes[0]}"`).split(' ').at(-1)).toBe(scrapedAt);
  expect(line(`ciliumscope_endpoints{node="${sim.nodes[0]}"`).split(' ').at(-1)).toBe(scrapedAt);
  expect(line(`ciliumscope_endpoint_regeneration_seconds_bucket{node="${sim.nodes[0]}"`).split(' ').at(-1)).toBe(
    scrapedAt
  );
  expect(line(`ciliumscope_target_up{node="${sim.nodes[0]}"`).split(' ')).toHaveLength(2);
});

describe('invalid input', () => {
  const post = (body: unknown, raw?: string) =>
    fetch(`${exporter.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ?? JSON.stringify(body),
    });
  test.each([
    [{ from: 0, to: 1, queries: [{ refId: 'A', queryType: 'nope' }] }, 'queries[0].queryType'],
    [{ from: 0, to: 1, queries: [] }, 'queries'],
    [{ from: 10, to: 1, queries: [{ refId: 'A', queryType: 'endpoints' }] }, 'to'],
    [{ to: 1, queries: [{ refId: 'A', queryType: 'endpoints' }] }, 'from'],
    [{ from: 0, to: 1, queries: [{ refId: 'A', queryType: 'policy', view: 'bands' }] }, 'queries[0].view'],
    [
      {
        from: 0,
        to: 1,
        queries: [
          { refId: 'A', queryType: 'endpoints' },
          { refId: 'A', queryType: 'drops' },
        ],
      },
      'queries[1].refId',
    ],
    [
      { from: 0, to: 1, queries: [{ refId: 'A', queryType: 'regeneration', quantiles: [1.5] }] },
      'queries[0].quantiles[0]',
    ],
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
    const big = await post(
      undefined,
      JSON.stringify({ from: 0, to: 1, queries: [{ refId: 'A', queryType: 'endpoints', node: 'x'.repeat(300_000) }] })
    );
    expect(big.status).toBe(413);
  });
  test('unknown routes answer JSON 404', async () => {
    const res = await fetch(`${exporter.url}/api/v1/nothing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/no such API route/);
  });
});
