/**
 * The bundled dashboard over "Last 30 days" of a 1,000-node cluster, from a real Prometheus through the query
 * replica. The backfill (bench/history: 1,000 nodes × 30 days at 1 h, two shards, CI_SHAPE) comes from the cache
 * `npm run history-backfill` fills (bench/history/cached.ts; made here if missing, which takes minutes), with what
 * it wrote for a few series. Every panel and annotation of dashboards/cilium-scope.json is sent as the datasource
 * sends it with every variable at All, with Grafana's max data points and interval; each must answer without error
 * and with data (drops by workload: with the notice saying they need Hubble, which the backfill has not), and a few are checked point by point against the samples written: targets up and down, policy
 * revision per node, ingress packets per second, endpoints by state per node, the agent table at the end. The
 * replica's clock is the backfill's end, which stands for "now". Prints each panel's time (uncached, one at a time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningExporter, queryReplicaConfig, startExporter } from '../../exporter/app';
import { type CachedBackfill, TRUTH_NODES, cachedBackfill, copyBlocks } from '../../bench/history/cached';
import { CI_SHAPE } from '../../bench/history/defaults';
import { type PluginPanel, pluginAnnotations, pluginPanels } from '../../bench/history/panels';
import { type TruthSeries, gaugeAt, rateAt } from '../../bench/history/truth';
import type { AnnotationsResponse, DataFrameJSON, QueryResponse } from '../../src/contract';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus';
import { describeWith } from '../support/tools';

// Making the backfill when the cache has none takes several minutes on two cores (the figures in the README).
jest.setTimeout(60 * 60_000);

const END = CI_SHAPE.endMs;
const RANGE = { from: END - 30 * 86_400_000, to: END };
const INTERVAL_MS = CI_SHAPE.resolutionSeconds * 1000;
/** The replica's windows at a 1 h interval: the gauge lookback max(5 min, 2 intervals), the rate window. */
const LOOKBACK_MS = 2 * INTERVAL_MS;
const rateWindowMs = (stepMs: number) => Math.max(stepMs + INTERVAL_MS, 4 * INTERVAL_MS);

interface Answer {
  panel: PluginPanel;
  ms: number;
  status: number;
  bytes: number;
  json: QueryResponse;
}

const framesOf = (a: Answer) => a.json.results.A.frames;
const timesOf = (f: DataFrameJSON) => f.data.values[0] as number[];
const valuesOf = (f: DataFrameJSON) => f.data.values[1] as Array<number | null>;
const labelsOf = (f: DataFrameJSON) => f.schema.fields[1].labels ?? {};
const hasValue = (f: DataFrameJSON) =>
  f.data.values.slice(1).some((column) => column.some((v) => v !== null && v !== undefined));

describeWith(
  [{ binary: 'promtool' }, { binary: 'prometheus' }],
  'the dashboard over 30 days of 1,000 nodes from Prometheus',
  () => {
    let entry: CachedBackfill;
    let work: string;
    let prometheus: RunningPrometheus;
    let replica: RunningExporter;
    const answers = new Map<number, Answer>();
    const annotations = new Map<string, { status: number; ms: number; json: AnnotationsResponse }>();

    const post = async (path: string, body: unknown) => {
      const started = performance.now();
      const res = await fetch(replica.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(120_000),
      });
      const text = await res.text();
      return { status: res.status, ms: performance.now() - started, bytes: text.length, json: JSON.parse(text) };
    };

    beforeAll(async () => {
      entry = await cachedBackfill({ ...CI_SHAPE }, (line) => process.stdout.write(`  ${line}\n`));
      work = mkdtempSync(join(tmpdir(), 'ciliumscope-30d-'));
      prometheus = await startPrometheus({
        targets: [],
        dataDir: copyBlocks(entry, work),
        maxBlockDuration: `${CI_SHAPE.blockHours}h`,
        readyTimeoutMs: 300_000,
      });
      replica = await startExporter(
        queryReplicaConfig(prometheus.url, [
          '--listen',
          '127.0.0.1:0',
          '--prometheus-scrape-interval',
          '1h',
          '--prometheus-timeout',
          '60s',
        ]),
        { now: () => END }
      );
      for (const panel of pluginPanels(RANGE)) {
        answers.set(panel.id, { panel, ...(await post('/api/v1/query', panel.body)) });
      }
      for (const a of pluginAnnotations(RANGE)) {
        annotations.set(a.name, await post('/api/v1/annotations', a.body));
      }
      const f = entry.figures;
      const lines = [
        `\n30 days from Prometheus through the query replica: ${f.nodes} nodes at ${f.resolutionSeconds} s, ${f.series.toLocaleString('en')} series, ` +
          `${f.samples.toLocaleString('en')} samples, ${f.blocks} blocks (${entry.made ? `made now in ${entry.seconds.toFixed(0)} s` : 'from the cache'}: ${entry.dir}); ` +
          `Prometheus ready in ${(prometheus.startupMs / 1000).toFixed(1)} s`,
        `  ${'panel'.padEnd(46)}${'ms'.padStart(7)}${'frames'.padStart(8)}${'KiB'.padStart(8)}  step`,
        ...[...answers.values()].map(
          (a) =>
            `  ${`${a.panel.perNode ? '*' : ' '}${a.panel.id} ${a.panel.title}`.slice(0, 45).padEnd(46)}${a.ms.toFixed(0).padStart(7)}` +
            `${String(framesOf(a)?.length ?? '-').padStart(8)}${(a.bytes / 1024).toFixed(0).padStart(8)}  ${a.panel.body.intervalMs / 1000} s`
        ),
        ...[...annotations].map(
          ([name, a]) =>
            `   annotations: ${name}`.padEnd(48) +
            a.ms.toFixed(0).padStart(7) +
            `${String(a.json.annotations?.length ?? '-').padStart(8)}`
        ),
        `  * one series per node at All; total ${[...answers.values()].reduce((s, a) => s + a.ms, 0).toFixed(0)} ms`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });

    afterAll(async () => {
      await replica?.close();
      await prometheus?.stop();
      if (work) {
        rmSync(work, { recursive: true, force: true });
      }
    });

    const answer = (id: number) => {
      const a = answers.get(id);
      if (!a) {
        throw new Error(`the dashboard has no panel ${id}`);
      }
      return a;
    };

    test('every panel answers without error and with data; unmanaged pods say what to configure', () => {
      expect(answers.size).toBeGreaterThanOrEqual(15);
      for (const a of answers.values()) {
        const result = a.json.results?.A;
        expect({ panel: a.panel.title, status: a.status, error: result?.error }).toEqual({
          panel: a.panel.title,
          status: 200,
          error: undefined,
        });
        const frames = framesOf(a);
        if (a.panel.body.queries[0].queryType === 'unmanagedPods') {
          expect(JSON.stringify(frames[0].schema.meta?.notices)).toMatch(/--kubeconfig/);
          continue;
        }
        // The backfilled cluster has no Hubble (bench/history/catalog.ts): the panel says where drops by workload come from.
        if (a.panel.body.queries[0].queryType === 'workloadDrops') {
          expect({ panel: a.panel.title, notices: JSON.stringify(frames[0].schema.meta?.notices) }).toEqual({
            panel: a.panel.title,
            notices: expect.stringMatching(/They come from Hubble: start the exporter with --hubble-port 9965/),
          });
          continue;
        }
        expect({ panel: a.panel.title, withData: frames.filter(hasValue).length > 0 }).toEqual({
          panel: a.panel.title,
          withData: true,
        });
      }
    });

    test('the annotations answer, and the drop anomalies of 30 days are there', () => {
      expect([...annotations.keys()]).toEqual(expect.arrayContaining(['Drop anomalies']));
      for (const [name, a] of annotations) {
        expect({ name, status: a.status }).toEqual({ name, status: 200 });
        for (const e of a.json.annotations) {
          expect(e.time).toBeGreaterThanOrEqual(RANGE.from);
          expect(e.time).toBeLessThanOrEqual(RANGE.to);
        }
      }
      expect(annotations.get('Drop anomalies')!.json.annotations.length).toBeGreaterThan(0);
    });

    test('points on the step grid up to "now", none after it, the rightmost at now', () => {
      for (const a of answers.values()) {
        for (const frame of framesOf(a).filter((f) => f.schema.meta?.type === 'timeseries-multi' && hasValue(f))) {
          const times = timesOf(frame);
          const step = Math.max(
            a.panel.body.intervalMs,
            INTERVAL_MS,
            Math.ceil((RANGE.to - RANGE.from) / a.panel.body.maxDataPoints)
          );
          expect({ panel: a.panel.title, last: times[times.length - 1], first: times[0] }).toEqual({
            panel: a.panel.title,
            last: Math.floor(RANGE.to / step) * step,
            first: Math.ceil(RANGE.from / step) * step,
          });
          expect(times.every((t, i) => i === 0 || t - times[i - 1] === step)).toBe(true);
        }
      }
    });

    test('targets up and down at every point: the agents and the operator the backfill had up', () => {
      const frames = framesOf(answer(30));
      const byStatus = Object.fromEntries(frames.map((f) => [labelsOf(f).status, f]));
      const targets = entry.truth.series('ciliumscope_target_up');
      expect(targets.length).toBe(CI_SHAPE.nodes + 1);
      const times = timesOf(byStatus.up);
      const up = times.map((t) => sumAt(targets, (s) => gaugeAt(s, t, LOOKBACK_MS)));
      const all = times.map((t) => sumAt(targets, (s) => (gaugeAt(s, t, LOOKBACK_MS) === null ? null : 1)));
      expect(valuesOf(byStatus.up)).toEqual(up);
      expect(valuesOf(byStatus.down)).toEqual(all.map((n, i) => (n === null ? null : n - up[i]!)));
      // Outages happen: some points have agents down.
      expect(valuesOf(byStatus.down).some((v) => v! > 0)).toBe(true);
    });

    test("policy revision per node: every node's last revision at every point, the rightmost the revision at now", () => {
      const frames = framesOf(answer(21));
      const truth = new Map(entry.truth.series('ciliumscope_policy_max_revision').map((s) => [s.labels.node, s]));
      expect(frames.length).toBe(CI_SHAPE.nodes);
      for (const f of frames) {
        const s = truth.get(labelsOf(f).node)!;
        const times = timesOf(f);
        expect({ node: labelsOf(f).node, values: valuesOf(f) }).toEqual({
          node: labelsOf(f).node,
          values: times.map((t) => gaugeAt(s, t, LOOKBACK_MS)),
        });
        if (s.times[s.times.length - 1] === END) {
          expect(valuesOf(f)[times.length - 1]).toBe(s.values[s.values.length - 1]);
        }
      }
    });

    test('ingress packets forwarded per second: the sum over nodes of each rate, with the counter resets of agent restarts', () => {
      const frame = framesOf(answer(10)).find((f) => labelsOf(f).verdict === 'forwarded')!;
      const series = entry.truth.series('ciliumscope_forwarded_packets_total', { direction: 'INGRESS' });
      expect(series.length).toBe(CI_SHAPE.nodes);
      const step = answer(10).panel.body.intervalMs;
      const want = timesOf(frame).map((t) => sumAt(series, (s) => rateAt(s, t, rateWindowMs(step))));
      const got = valuesOf(frame);
      expect(got.length).toBe(want.length);
      got.forEach((v, i) => {
        if (want[i] === null) {
          expect(v).toBeNull();
        } else {
          expect(Math.abs(v! - want[i]!)).toBeLessThanOrEqual(1e-9 * want[i]!);
        }
      });
      expect(got.filter((v) => v !== null).length).toBeGreaterThan(got.length - 5);
    });

    test(`endpoints by state per node: the first ${TRUTH_NODES} nodes at every point`, () => {
      const frames = framesOf(answer(1));
      const nodes = [...new Set(entry.truth.series('ciliumscope_endpoints').map((s) => s.labels.node))];
      expect(nodes.length).toBe(TRUTH_NODES);
      for (const node of nodes) {
        const written = entry.truth.series('ciliumscope_endpoints', { node });
        const mine = frames.filter((f) => labelsOf(f).node === node);
        expect(mine.map((f) => labelsOf(f).state).sort()).toEqual(
          [...new Set(written.map((s) => s.labels.state))].sort()
        );
        for (const f of mine) {
          const states = written.filter((s) => s.labels.state === labelsOf(f).state);
          expect(valuesOf(f)).toEqual(timesOf(f).map((t) => sumAt(states, (s) => gaugeAt(s, t, LOOKBACK_MS))));
        }
      }
    });

    test('the agent table at now: every agent and the operator, up as the backfill left them', () => {
      const [table] = framesOf(answer(31));
      const column = (name: string) => table.data.values[table.schema.fields.findIndex((f) => f.name === name)];
      const nodes = column('Node') as string[];
      const components = column('Component') as string[];
      const up = column('Up') as number[];
      expect(components.filter((c) => c === 'agent').length).toBe(CI_SHAPE.nodes);
      expect(components.filter((c) => c === 'operator').length).toBe(1);
      const truth = entry.truth.series('ciliumscope_target_up');
      nodes.forEach((node, i) => {
        const s = truth.find((x) => x.labels.node === node && x.labels.component === components[i])!;
        expect({ node, component: components[i], up: up[i] }).toEqual({
          node,
          component: components[i],
          up: gaugeAt(s, END, LOOKBACK_MS),
        });
      });
    });
  }
);

/** The sum over series of a value each may lack at a point (null when none has one), as `sum` aggregates. */
function sumAt(series: TruthSeries[], value: (s: TruthSeries) => number | null): number | null {
  let sum: number | null = null;
  for (const s of series) {
    const v = value(s);
    if (v !== null) {
      sum = (sum ?? 0) + v;
    }
  }
  return sum;
}
