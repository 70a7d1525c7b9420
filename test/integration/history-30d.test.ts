/**
 * The bundled dashboard over "Last 30 days" of a 1,000-node cluster, from a real Prometheus through the query
 * replica. The backfill (bench/history: 1,000 nodes × 30 days at 1 h, two shards, CI_SHAPE) comes from the cache
 * `npm run history-backfill` fills (bench/history/cached.ts; made here if missing, which takes minutes), with what
 * it wrote for a few series. Every panel and annotation of dashboards/cilium-scope.json is sent as the datasource
 * sends it (tools/preview/panel-requests.ts) with every variable as shipped (All, top 10), with Grafana's max data
 * points and interval; every query of every panel must answer without error and with data (drops by workload: with
 * the notice saying they need Hubble, which the backfill has not), within the dashboards' bounds (25 series and
 * 512 KiB an answer). The panels that carry a series the backfill kept are checked point by
 * point against its samples, wherever they are in the dashboard (found by query type and view): targets up and
 * down, policy revision skew (the cluster's and the top 10 nodes'), ingress packets per second, the agent table at
 * the end; and, with the node variable narrowed to the nodes whose endpoints were kept and top N at 2, endpoints by
 * state, endpoints not ready with the 2 nodes first and the rest as "other nodes", and those nodes' agents. The
 * replica's clock is the backfill's end, which stands for "now". Prints each panel's time (uncached, one at a time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningExporter, queryReplicaConfig, startExporter } from '../../exporter/app';
import { STUCK_WINDOW_MS } from '../../exporter/http/query/signals';
import { type CachedBackfill, TRUTH_NODES, cachedBackfill, copyBlocks } from '../../bench/history/cached';
import { CI_SHAPE } from '../../bench/history/defaults';
import { pluginRequests } from '../../bench/history/panels';
import { gaugeAt, rateAt } from '../../bench/history/truth';
import type { PanelRequest } from '../../tools/preview/panel-requests';
import type { AnnotationsResponse, DataFrameJSON, QueryResponse, ScopeQuery } from '../../src/contract';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus';
import { describeWith } from '../support/tools';
import {
  type Values,
  fewestOver,
  gauge,
  notReadyByNode,
  revisionSkews,
  stepwise,
  sumAt,
  topNodes,
} from './history-30d-truth';

// Making the backfill when the cache has none takes several minutes on two cores (the figures in the README).
jest.setTimeout(60 * 60_000);

const END = CI_SHAPE.endMs;
const RANGE = { from: END - 30 * 86_400_000, to: END };
const INTERVAL_MS = CI_SHAPE.resolutionSeconds * 1000;
/** The replica's windows at a 1 h interval: the gauge lookback max(5 min, 2 intervals), the rate window. */
const LOOKBACK_MS = 2 * INTERVAL_MS;
const rateWindowMs = (stepMs: number) => Math.max(stepMs + INTERVAL_MS, 4 * INTERVAL_MS);
/** The issue's bounds on one panel's answer. */
const MAX_SERIES = 25;
const MAX_PANEL_BYTES = 512 * 1024;
/** Top N while the node variable holds the TRUTH_NODES: fewer than them, so "other nodes" has some. */
const NARROW_TOP_N = 2;

interface Answer {
  title: string;
  body: PanelRequest['body'];
  ms: number;
  status: number;
  bytes: number;
  json: QueryResponse;
}

/** One query of a panel and its frames. */
interface Answered {
  title: string;
  body: PanelRequest['body'];
  query: ScopeQuery;
  frames: DataFrameJSON[];
}

const timesOf = (f: DataFrameJSON) => f.data.values[0] as number[];
const valuesOf = (f: DataFrameJSON) => f.data.values[1] as Values;
const labelsOf = (f: DataFrameJSON) => f.schema.fields[1]?.labels ?? {};
const hasValue = (f: DataFrameJSON) =>
  f.data.values.slice(1).some((column) => column.some((v) => v !== null && v !== undefined));
const stepOf = (body: PanelRequest['body']) =>
  Math.max(body.intervalMs, INTERVAL_MS, Math.ceil((RANGE.to - RANGE.from) / body.maxDataPoints));
const gridEndOf = (body: PanelRequest['body']) => Math.floor(RANGE.to / stepOf(body)) * stepOf(body);
/** Views answered with one value per series, at the end of the range. */
const AT_THE_END = new Set(['importErrorsInRange']);

/** Every query of the panels that `pick` accepts, with its frames; there must be one at least. */
function queriesOf(answers: Answer[], pick: (q: ScopeQuery) => boolean): Answered[] {
  const out = answers.flatMap((a) =>
    a.body.queries
      .filter(pick)
      .map((query) => ({ title: a.title, body: a.body, query, frames: a.json.results[query.refId].frames }))
  );
  if (out.length === 0) {
    throw new Error('no panel of the dashboard has this query any more');
  }
  return out;
}

describeWith(
  [{ binary: 'promtool' }, { binary: 'prometheus' }],
  'the dashboard over 30 days of 1,000 nodes from Prometheus',
  () => {
    let entry: CachedBackfill;
    let work: string;
    let prometheus: RunningPrometheus;
    let replica: RunningExporter;
    /** Every variable as shipped. */
    const answers: Answer[] = [];
    /** The node variable at the TRUTH_NODES, top N at NARROW_TOP_N. */
    const narrowed: Answer[] = [];
    let truthNodes: string[];
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
      truthNodes = [...new Set(entry.truth.series('ciliumscope_endpoints').map((s) => s.labels.node))].sort();
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
      const shipped = await pluginRequests(RANGE);
      for (const { panel, body } of shipped.panels) {
        answers.push({ title: `${panel.id} ${panel.title}`, body, ...(await post('/api/v1/query', body)) });
      }
      for (const a of shipped.annotations) {
        annotations.set(a.name, await post('/api/v1/annotations', a.body));
      }
      const narrow = await pluginRequests(RANGE, { node: truthNodes, topn: String(NARROW_TOP_N) });
      for (const { panel, body } of narrow.panels) {
        narrowed.push({ title: `${panel.id} ${panel.title}`, body, ...(await post('/api/v1/query', body)) });
      }
      const f = entry.figures;
      const seriesOf = (a: Answer) =>
        Object.values(a.json.results ?? {})
          .flatMap((r) => r.frames ?? [])
          .filter(hasValue).length;
      const lines = [
        `\n30 days from Prometheus through the query replica: ${f.nodes} nodes at ${f.resolutionSeconds} s, ${f.series.toLocaleString('en')} series, ` +
          `${f.samples.toLocaleString('en')} samples, ${f.blocks} blocks (${entry.made ? `made now in ${entry.seconds.toFixed(0)} s` : 'from the cache'}: ${entry.dir}); ` +
          `Prometheus ready in ${(prometheus.startupMs / 1000).toFixed(1)} s`,
        `  ${'panel (variables as shipped)'.padEnd(50)}${'ms'.padStart(7)}${'series'.padStart(8)}${'KiB'.padStart(8)}  step`,
        ...answers.map(
          (a) =>
            `  ${a.title.slice(0, 49).padEnd(50)}${a.ms.toFixed(0).padStart(7)}${String(seriesOf(a)).padStart(8)}` +
            `${(a.bytes / 1024).toFixed(0).padStart(8)}  ${stepOf(a.body) / 1000} s`
        ),
        ...[...annotations].map(
          ([name, a]) =>
            `  annotations: ${name}`.padEnd(52) +
            a.ms.toFixed(0).padStart(7) +
            `${String(a.json.annotations?.length ?? '-').padStart(8)}`
        ),
        `  total ${answers.reduce((s, a) => s + a.ms, 0).toFixed(0)} ms; with ${truthNodes.length} nodes and top ${NARROW_TOP_N}: ` +
          `${narrowed.reduce((s, a) => s + a.ms, 0).toFixed(0)} ms`,
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

    test('every query of every panel answers without error and with data; unmanaged pods say what to configure', () => {
      expect(answers.length).toBeGreaterThanOrEqual(25);
      expect(narrowed.length).toBe(answers.length);
      for (const a of [...answers, ...narrowed]) {
        expect({ panel: a.title, status: a.status }).toEqual({ panel: a.title, status: 200 });
        for (const q of a.body.queries) {
          const result = a.json.results[q.refId];
          const panel = `${a.title} ${q.refId}`;
          expect({ panel, error: result?.error }).toEqual({ panel, error: undefined });
          if (!answers.includes(a)) {
            // A few nodes may have nothing to show in a view (no drop series outside its band at the end).
            continue;
          }
          if (q.queryType === 'unmanagedPods' && q.view === undefined) {
            expect(JSON.stringify(result.frames[0].schema.meta?.notices)).toMatch(/--kubeconfig/);
            continue;
          }
          // The backfilled cluster has no Hubble (bench/history/catalog.ts): the panel says where the pairs come from.
          if (q.queryType === 'workloadDrops') {
            expect({ panel, notices: JSON.stringify(result.frames[0].schema.meta?.notices) }).toEqual({
              panel,
              notices: expect.stringMatching(/They come from Hubble: start the exporter with --hubble-port 9965/),
            });
            continue;
          }
          expect({ panel, withData: result.frames.filter(hasValue).length > 0 }).toEqual({ panel, withData: true });
        }
      }
    });

    test(`each answer within ${MAX_SERIES} series and 512 KiB, the top-N panels at ${10} nodes and the rest`, () => {
      for (const a of answers) {
        const series = Object.values(a.json.results)
          .flatMap((r) => r.frames)
          .filter(hasValue).length;
        expect({ panel: a.title, light: series <= MAX_SERIES && a.bytes <= MAX_PANEL_BYTES }).toEqual({
          panel: a.title,
          light: true,
        });
      }
      // Drops by workload rank pairs, not nodes (and have none here, see above).
      const ranked = queriesOf(answers, (q) => q.topN !== undefined && q.queryType !== 'workloadDrops');
      for (const { title, query, frames } of ranked) {
        expect(query.topN).toBe(10);
        const nodes = new Set(frames.map((f) => labelsOf(f).node).filter(Boolean));
        expect({ title, nodes: nodes.size }).toEqual({ title, nodes: 10 });
        if (query.others) {
          const others = frames.filter((f) => labelsOf(f).others !== undefined);
          expect({ title, others: others.map((f) => labelsOf(f).others) }).toEqual({
            title,
            others: others.map(() => String(CI_SHAPE.nodes - 10)),
          });
          expect(others.length).toBeGreaterThan(0);
        }
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
      let checked = 0;
      for (const { title, body, query, frames } of queriesOf([...answers, ...narrowed], () => true)) {
        const step = stepOf(body);
        for (const frame of frames.filter((f) => f.schema.meta?.type === 'timeseries-multi' && hasValue(f))) {
          const times = timesOf(frame);
          const panel = `${title} ${query.refId}`;
          if (AT_THE_END.has(query.view ?? '')) {
            expect({ panel, times }).toEqual({ panel, times: [gridEndOf(body)] });
            continue;
          }
          expect({ panel, last: times[times.length - 1], first: times[0] }).toEqual({
            panel,
            last: gridEndOf(body),
            first: Math.ceil(RANGE.from / step) * step,
          });
          expect({ panel, onTheGrid: times.every((t, i) => i === 0 || t - times[i - 1] === step) }).toEqual({
            panel,
            onTheGrid: true,
          });
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(100);
    });

    test('targets up and down at every point: the agents and the operator the backfill had up', () => {
      const targets = entry.truth.series('ciliumscope_target_up');
      expect(targets.length).toBe(CI_SHAPE.nodes + 1);
      const panels = queriesOf(answers, (q) => q.queryType === 'agentHealth' && q.view === 'up' && !q.groupBy);
      for (const { frames } of panels) {
        const byStatus = Object.fromEntries(frames.map((f) => [labelsOf(f).status, f]));
        const times = timesOf(byStatus.up);
        const up = times.map((t) => sumAt(targets, (s) => gaugeAt(s, t, LOOKBACK_MS)));
        const all = times.map((t) => sumAt(targets, (s) => (gaugeAt(s, t, LOOKBACK_MS) === null ? null : 1)));
        expect(valuesOf(byStatus.up)).toEqual(up);
        expect(valuesOf(byStatus.down)).toEqual(all.map((n, i) => (n === null ? null : n - up[i]!)));
        // Outages happen: some points have agents down.
        expect(valuesOf(byStatus.down).some((v) => v! > 0)).toBe(true);
      }
    });

    test("policy revision skew: the cluster's largest and the 10 nodes furthest behind, from every node's revisions", () => {
      const truth = entry.truth.series('ciliumscope_policy_max_revision');
      expect(truth.length).toBe(CI_SHAPE.nodes);
      const panels = queriesOf(answers, (q) => q.queryType === 'policy' && q.view === 'revisionSkew');
      expect(panels.filter((p) => p.query.groupBy === 'node').length).toBeGreaterThan(0);
      for (const { title, body, query, frames } of panels) {
        const times = timesOf(frames[0]);
        const revisions = new Map(truth.map((s) => [s.labels.node, gauge(s, times, LOOKBACK_MS)]));
        const skews = revisionSkews(revisions, times.length);
        const largest = stepwise([...skews.values()], times.length, 'max');
        if (query.groupBy !== 'node') {
          expect({ title, values: frames.map(valuesOf) }).toEqual({ title, values: [largest] });
          continue;
        }
        const top = topNodes(skews, query.topN!, (points) => Math.max(...points));
        expect({ title, nodes: frames.map((f) => labelsOf(f).node) }).toEqual({ title, nodes: top });
        for (const f of frames) {
          const node = labelsOf(f).node;
          expect({ node, values: valuesOf(f) }).toEqual({ node, values: skews.get(node) });
        }
        // Some nodes lag: the top ones were behind at some point, and the rightmost point is now's.
        expect(Math.max(...(skews.get(top[0])!.filter((v) => v !== null) as number[]))).toBeGreaterThan(0);
        expect(timesOf(frames[0]).at(-1)).toBe(gridEndOf(body));
      }
    });

    test('ingress packets forwarded per second: the sum over nodes of each rate, with the counter resets of agent restarts', () => {
      const series = entry.truth.series('ciliumscope_forwarded_packets_total', { direction: 'INGRESS' });
      expect(series.length).toBe(CI_SHAPE.nodes);
      const panels = queriesOf(
        answers,
        (q) => q.queryType === 'packetFlow' && q.direction === 'INGRESS' && !q.groupBy && q.unit !== 'bytes'
      );
      for (const { body, frames } of panels) {
        const frame = frames.find((f) => labelsOf(f).verdict === 'forwarded')!;
        const want = timesOf(frame).map((t) => sumAt(series, (s) => rateAt(s, t, rateWindowMs(stepOf(body)))));
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
      }
    });

    test(`endpoints by state of ${TRUTH_NODES} nodes at every point, the node variable narrowed to them`, () => {
      expect(truthNodes.length).toBe(TRUTH_NODES);
      const written = entry.truth.series('ciliumscope_endpoints');
      const states = [...new Set(written.map((s) => s.labels.state))].sort();
      for (const { frames } of queriesOf(narrowed, (q) => q.queryType === 'endpoints' && q.view === undefined)) {
        const times = timesOf(frames[0]);
        const want = states
          .map((state) => ({
            state,
            values: times.map((t) =>
              sumAt(
                written.filter((s) => s.labels.state === state),
                (s) => gaugeAt(s, t, LOOKBACK_MS)
              )
            ),
          }))
          .filter((s) => s.values.some((v) => v !== null));
        expect(frames.map((f) => ({ state: labelsOf(f).state, values: valuesOf(f) }))).toEqual(want);
      }
    });

    test(`endpoints not ready of ${TRUTH_NODES} nodes: the cluster, the stuck ones, the top ${NARROW_TOP_N} and the other nodes`, () => {
      const panels = queriesOf(narrowed, (q) => q.queryType === 'endpoints' && q.view === 'notReady');
      expect(panels.filter((p) => p.query.topN !== undefined && p.query.others).length).toBeGreaterThan(0);
      let ranked = 0;
      for (const { title, body, query, frames } of panels) {
        const times = timesOf(frames[0]);
        const { shown, signal } = notReadyByNode(entry.truth, truthNodes, times, LOOKBACK_MS);
        const clusterOf = (nodes: string[]) => {
          const rows = nodes.map((n) => shown.get(n)!);
          const windowSteps = Math.max(1, Math.round(STUCK_WINDOW_MS / stepOf(body)));
          return [
            stepwise(rows, times.length),
            stepwise(
              rows.map((r) => fewestOver(r, windowSteps)),
              times.length
            ),
          ];
        };
        if (query.groupBy !== 'node') {
          expect({ title, values: frames.map(valuesOf) }).toEqual({ title, values: clusterOf(truthNodes) });
          continue;
        }
        const top = topNodes(signal, query.topN!, (points) => Math.max(...points));
        const rest = truthNodes.filter((n) => !top.includes(n));
        expect(top.length).toBe(NARROW_TOP_N);
        expect(
          frames.map((f) => ({ node: labelsOf(f).node, others: labelsOf(f).others, values: valuesOf(f) }))
        ).toEqual([
          ...top.map((node) => ({ node, others: undefined, values: shown.get(node) })),
          ...clusterOf(rest).map((values) => ({ node: undefined, others: String(rest.length), values })),
        ]);
        // The ranking means something: some endpoints were out of ready in the range.
        expect(Math.max(...(signal.get(top[0])!.filter((v) => v !== null) as number[]))).toBeGreaterThan(0);
        ranked++;
      }
      expect(ranked).toBeGreaterThan(0);
    });

    test('the agent tables at now: the targets down first, every row up or down as the backfill left it', () => {
      const truth = entry.truth.series('ciliumscope_target_up');
      const upAtEnd = (node: string, component: string) =>
        gaugeAt(
          truth.find((s) => s.labels.node === node && s.labels.component === component)!,
          END,
          LOOKBACK_MS
        );
      const down = truth
        .filter((s) => gaugeAt(s, END, LOOKBACK_MS) === 0)
        .map((s) => `${s.labels.node} ${s.labels.component}`);
      const present = truth.filter((s) => gaugeAt(s, END, LOOKBACK_MS) !== null);
      expect(down.length).toBeGreaterThan(0);
      const tables = (list: Answer[]) =>
        queriesOf(list, (q) => q.queryType === 'agentHealth' && (q.view ?? 'status') === 'status');
      for (const [list, targets] of [
        [answers, present],
        [narrowed, present.filter((s) => truthNodes.includes(s.labels.node))],
      ] as const) {
        for (const { title, query, frames } of tables(list)) {
          const [table] = frames;
          const column = (name: string) => table.data.values[table.schema.fields.findIndex((f) => f.name === name)];
          const rows = (column('Node') as string[]).map((node, i) => ({
            node,
            component: (column('Component') as string[])[i],
            up: (column('Up') as number[])[i],
          }));
          const limit = query.limit ?? Infinity;
          expect({ title, rows: rows.length }).toEqual({ title, rows: Math.min(limit, targets.length) });
          for (const r of rows) {
            expect(r).toEqual({ ...r, up: upAtEnd(r.node, r.component) });
          }
          const wantDown = down.filter((d) => targets.some((s) => `${s.labels.node} ${s.labels.component}` === d));
          const firstRows = rows.slice(0, Math.min(limit, wantDown.length));
          expect(firstRows.map((r) => `${r.node} ${r.component}`).sort()).toEqual(
            wantDown.length <= limit ? wantDown.sort() : firstRows.map((r) => `${r.node} ${r.component}`).sort()
          );
          expect(firstRows.every((r) => r.up === 0)).toBe(true);
          if (targets.length > limit) {
            expect(JSON.stringify(table.schema.meta?.notices)).toContain(`${limit} of ${targets.length} targets`);
          } else {
            expect(rows.map((r) => `${r.node} ${r.component}`).sort()).toEqual(
              targets.map((s) => `${s.labels.node} ${s.labels.component}`).sort()
            );
          }
        }
      }
    });
  }
);
