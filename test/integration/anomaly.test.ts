/**
 * Drop anomaly detection end to end: the real exporter scrapes the real simulator over loopback (1 s ticks and
 * scrapes on simulated time, a 30 s baseline window), one drop series is spiked, and the anomaly shows on /metrics,
 * in the `anomaly` query type's bands and scores views and as an annotation, for that series only.
 */
import { type RunningExporter, startExporter } from '../../exporter/app';
import { DEFAULT_ANOMALY_PARAMS } from '../../exporter/anomaly/params';
import { type RunningSimulator, startSimulator } from '../../simulator';
import type { AnnotationsResponse, DataFrameJSON, QueryRequest, QueryResponse, ScopeQuery } from '../../src/contract';
import { testConfig } from '../support/config';
import { parseLabels } from '../support/exposition';

const NODES = 6;
const WARM_SCRAPES = 60;
const SPIKE_SCRAPES = 4;

let sim: RunningSimulator;
let exporter: RunningExporter;
let target: { node: string; direction: string; reason: string };
let spikeStart = 0;
let t0 = 0;

const nowMs = () => sim.cluster.nowSeconds * 1000;

async function scrapeTicks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    sim.tick();
    const stats = await exporter.scrapeNow();
    expect(stats.failed).toBe(0);
  }
}

beforeAll(async () => {
  sim = await startSimulator({ nodes: NODES, seed: 23, autoTickMs: 0, tickSeconds: 1, pageKB: 40 });
  exporter = await startExporter(
    testConfig({
      agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
      scrapeIntervalMs: 1000,
      scrapeTimeoutMs: 1000,
      staleAfterMs: 5000,
      anomaly: { ...DEFAULT_ANOMALY_PARAMS, windowMs: 30_000, warmupMs: 20_000, stateFile: null },
    }),
    { autoScrape: false, now: nowMs }
  );
  t0 = nowMs();
  await exporter.scrapeNow();
  await scrapeTicks(WARM_SCRAPES);
  // An existing background series of one node: the spike must stand out of that series' own noise.
  const node = sim.cluster.nodes.find((n) => n.agent!.dropProfiles.some((p) => p.reason === 'Policy denied'))!;
  const profile = node.agent!.dropProfiles.find((p) => p.reason === 'Policy denied')!;
  target = { node: node.name, direction: profile.direction, reason: profile.reason };
  spikeStart = nowMs();
  sim.spike({ ...target, factor: 400, ticks: SPIKE_SCRAPES + 2 });
  await scrapeTicks(SPIKE_SCRAPES);
}, 60_000);

afterAll(async () => {
  await exporter?.close();
  await sim?.close();
});

interface Sample {
  labels: Record<string, string>;
  value: number;
}

async function metricSamples(name: string): Promise<Sample[]> {
  const text = await (await fetch(`${exporter.url}/metrics`)).text();
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(name + '{')) {
      // name{labels} value [timestamp]
      const m = /^[^{]+\{(.*)\}\s+(\S+)(?:\s+\d+)?$/.exec(line)!;
      out.push({ labels: parseLabels(m[1]), value: Number(m[2]) });
    }
  }
  return out;
}

const isTarget = (l: Record<string, string>) =>
  l.node === target.node && l.direction === target.direction && l.reason === target.reason;

async function query(q: Omit<ScopeQuery, 'refId'>): Promise<DataFrameJSON[]> {
  const body: QueryRequest = {
    from: t0,
    to: nowMs(),
    intervalMs: 1000,
    maxDataPoints: 1000,
    queries: [{ refId: 'A', ...q } as ScopeQuery],
  };
  const res = await fetch(`${exporter.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  const json = (await res.json()) as QueryResponse;
  expect(json.results.A.error).toBeUndefined();
  return json.results.A.frames;
}

test('/metrics: score ≥ 1 for the spiked series only, with its band and baseline', async () => {
  const scores = await metricSamples('ciliumscope_drop_anomaly_score');
  // Every drop series of every node is scored.
  const dropped = await metricSamples('ciliumscope_dropped_packets_total');
  expect(scores.length).toBe(dropped.length);
  expect(scores.length).toBeGreaterThan(NODES);
  const spiked = scores.filter((s) => isTarget(s.labels));
  expect(spiked).toHaveLength(1);
  expect(spiked[0].value).toBeGreaterThanOrEqual(1);
  expect(scores.filter((s) => !isTarget(s.labels) && s.value !== 0)).toEqual([]);

  const band = (await metricSamples('ciliumscope_drop_rate_upper_band')).find((s) => isTarget(s.labels))!;
  const baseline = (await metricSamples('ciliumscope_drop_rate_baseline')).find((s) => isTarget(s.labels))!;
  expect(baseline.value).toBeGreaterThanOrEqual(0);
  expect(band.value).toBeGreaterThan(baseline.value);
  expect(band.value).toBeGreaterThanOrEqual(DEFAULT_ANOMALY_PARAMS.minRate);
  // The score is the rate over the band: the spike's rate is about 400 times the floor of one packet per second.
  expect(spiked[0].value * band.value).toBeGreaterThan(100);
});

test('/metrics: the detector reports the series it tracks', async () => {
  const text = await (await fetch(`${exporter.url}/metrics`)).text();
  const tracked = /^ciliumscope_drop_anomaly_series (\d+)$/m.exec(text);
  expect(Number(tracked?.[1])).toBe((await metricSamples('ciliumscope_drop_anomaly_score')).length);
  expect(text).toMatch(/^ciliumscope_drop_anomaly_refused_series_total 0$/m);
});

test('anomaly query, bands view: rate, baseline, upper band and score frames for the spiked series', async () => {
  const frames = await query({
    queryType: 'anomaly',
    node: target.node,
    direction: target.direction,
    reason: target.reason,
  });
  const byName = new Map(frames.map((f) => [f.schema.fields[1].labels?.series, f]));
  expect([...byName.keys()].sort()).toEqual(['baseline', 'rate', 'score', 'upper band']);
  for (const f of frames) {
    expect(f.schema.fields[1].labels).toMatchObject(target);
  }
  const valuesOf = (name: string) => {
    const [times, values] = byName.get(name)!.data.values as [number[], Array<number | null>];
    return times.map((t, i) => [t, values[i]] as const);
  };
  const score = valuesOf('score');
  const rate = valuesOf('rate');
  const band = valuesOf('upper band');
  // Before the spike: every score is 0 and the rate within its band; at the end: above it with a score ≥ 1.
  for (const [t, v] of score) {
    if (t < spikeStart && v !== null) {
      expect(v).toBe(0);
    }
  }
  const last = (series: ReadonlyArray<readonly [number, number | null]>) =>
    [...series].reverse().find(([, v]) => v !== null)![1]!;
  expect(last(score)).toBeGreaterThanOrEqual(1);
  expect(last(rate)).toBeGreaterThan(last(band));
  expect(byName.get('rate')!.schema.fields[1].config?.unit).toBe('pps');
});

test('anomaly query, bands view without filters ranks the spiked series first', async () => {
  const frames = await query({ queryType: 'anomaly', limit: 1 });
  expect(frames).toHaveLength(4);
  frames.forEach((f) => expect(f.schema.fields[1].labels).toMatchObject(target));
});

test('anomaly query, scores view: the spiked series is the one row outside its band, not warming up', async () => {
  const [table] = await query({ queryType: 'anomaly', view: 'scores' });
  const col = (name: string) => table.data.values[table.schema.fields.findIndex((f) => f.name === name)] as unknown[];
  expect(col('Node')[0]).toBe(target.node);
  expect(col('Reason')[0]).toBe(target.reason);
  expect(col('Direction')[0]).toBe(target.direction);
  expect(col('Score')[0] as number).toBeGreaterThanOrEqual(1);
  expect(col('Warming up')[0]).toBe(false);
  expect((col('Score') as number[]).filter((s) => s >= 1)).toHaveLength(1);
});

test('annotations: one drop anomaly region on the spiked series', async () => {
  const res = await fetch(`${exporter.url}/api/v1/annotations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'dropAnomalies', from: t0, to: nowMs() }),
  });
  expect(res.status).toBe(200);
  const list = ((await res.json()) as AnnotationsResponse).annotations;
  expect(list).toHaveLength(1);
  expect(list[0]).toMatchObject({ node: target.node, tags: expect.arrayContaining(['anomaly', target.reason]) });
  expect(list[0].time).toBeGreaterThanOrEqual(spikeStart);
});
