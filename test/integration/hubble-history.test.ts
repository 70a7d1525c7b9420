/**
 * Drops by workload in both history backends: the embedded history keeps ciliumscope_workload_dropped_packets_total
 * as /metrics writes it (a counter per kept pair and (other) row, at the time of the node's Hubble data), so a real
 * Prometheus scraping the exporter holds the same samples and the same expressions over the pairs give the same
 * numbers from either: rates and increases per pair, per node and reason, filtered, and the last counter values.
 *
 * The workloadDrops query type answers the same from both: the top pairs, "other pairs", filtered, and the table.
 *
 * Two nodes are fed by their Hubble metrics pages, the third by Hubble Relay's flows alone; a top K of 3 makes
 * pairs leave and rejoin the kept set and fills the (other) rows.
 */
import { type RunningExporter, queryReplicaConfig, startExporter } from '../../exporter/app';
import type { GridSeries } from '../../exporter/history/backend';
import { type Expr, increase, last, matcher, maxBy, rate, selector, sumBy } from '../../exporter/history/expr';
import { instantGrid, makeGrid } from '../../exporter/history/grid';
import { WORKLOAD_DROPS_LABELS } from '../../exporter/hubble/model';
import { SERIES } from '../../exporter/model/series';
import type { QueryResponse, ScopeQuery } from '../../src/contract';
import { type RunningSimulator, startSimulator } from '../../simulator';
import { testConfig } from '../support/config';
import { rawSamples } from '../support/exposition';
import { RELAY_SIMULATOR, hubbleSettings, relaySettings, until } from '../support/hubble';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus';
import { describeWith } from '../support/tools';
import { close } from './history-support';

const INTERVAL_MS = 2000;
const CYCLES = 10;
const FAMILY = SERIES.workloadDroppedPackets;
const PAIR = [...WORKLOAD_DROPS_LABELS];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first difference between two results, or null: the same series in the same order, values within tolerance. */
function differ(got: GridSeries[], want: GridSeries[]): string | null {
  if (got.length !== want.length) {
    return `${got.length} series, want ${want.length}: ${JSON.stringify(got.map((s) => s.labels))} vs ${JSON.stringify(want.map((s) => s.labels))}`;
  }
  for (const [i, s] of got.entries()) {
    if (JSON.stringify(s.labels) !== JSON.stringify(want[i].labels)) {
      return `series ${i}: labels ${JSON.stringify(s.labels)}, want ${JSON.stringify(want[i].labels)}`;
    }
    for (const [k, v] of s.values.entries()) {
      const w = want[i].values[k];
      if (!(v === null ? w === null : w !== null && close(v, w))) {
        return `${JSON.stringify(s.labels)} at point ${k}: ${v}, want ${w}`;
      }
    }
  }
  return null;
}

describeWith(
  [{ binary: '/usr/bin/prometheus' }],
  'drops by workload: the embedded history and Prometheus answer alike',
  () => {
    jest.setTimeout(120_000);
    let sim: RunningSimulator;
    let exporter: RunningExporter;
    let replica: RunningExporter;
    let prometheus: RunningPrometheus;
    let from = 0;
    let to = 0;

    const page = async () => (await fetch(`${exporter.url}/metrics`)).text();

    beforeAll(async () => {
      sim = await startSimulator(RELAY_SIMULATOR);
      const relayOnly = sim.nodes[2];
      // Drops on every node and cycle: policy denials both ways (at least a packet per simulated second each).
      for (const direction of ['INGRESS', 'EGRESS']) {
        sim.spike({ node: '*', direction, reason: 'Policy denied', factor: 4, ticks: 1000 });
      }
      exporter = await startExporter(
        testConfig({
          agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
          scrapeIntervalMs: INTERVAL_MS,
          scrapeTimeoutMs: 1500,
          // Cycles are driven by the test: nothing goes stale while it runs.
          staleAfterMs: 600_000,
          hubble: hubbleSettings(sim, {
            targets: sim.nodes.filter((n) => n !== relayOnly).map((node) => ({ node, url: sim.hubbleUrl(node) })),
            topK: 3,
            relay: relaySettings(sim),
          }),
        }),
        { autoScrape: false }
      );
      await until(() => exporter.hubble!.status().relay?.connected === true, 30_000, 'the relay stream');
      prometheus = await startPrometheus({
        targets: [new URL(exporter.url).host],
        scrapeInterval: '1s',
        scrapeTimeout: '900ms',
      });
      await until(
        async () => ((await prometheus.query('count(up == 1)'))[0]?.value ?? 0) >= 1,
        30_000,
        'Prometheus scraping the exporter'
      );
      replica = await startExporter(
        queryReplicaConfig(prometheus.url, [
          '--listen',
          '127.0.0.1:0',
          '--log-level',
          'silent',
          '--scrape-interval',
          `${INTERVAL_MS}ms`,
          '--prometheus-scrape-interval',
          '1s',
        ])
      );

      for (let k = 0; k < CYCLES; k++) {
        const at = Date.now();
        sim.tick();
        // The relay's flows of this tick reach the exporter before the cycle settles them.
        const written = sim.relay!.truth().flows.reduce((s, f) => s + f.flows, 0);
        await until(() => (exporter.hubble!.status().relay?.flows ?? 0) >= written, 30_000, `${written} relay flows`);
        expect((await exporter.scrapeNow()).failed).toBe(0);
        // Until Prometheus holds every row of this cycle, at the time /metrics stamps it.
        const rows = rawSamples(await page(), FAMILY).length;
        const settled = Math.min(...exporter.hubble!.freshNodes().map((n) => n.settledAt!));
        await until(
          async () =>
            ((await prometheus.query(`count(timestamp(${FAMILY}) * 1000 >= ${settled})`))[0]?.value ?? 0) >= rows,
          30_000,
          `Prometheus holding the ${rows} rows of cycle ${k}`
        );
        from ||= Date.now();
        await sleep(Math.max(0, at + INTERVAL_MS - Date.now()));
      }
      to = Date.now();
    });

    afterAll(async () => {
      await replica?.close();
      await exporter?.close();
      await prometheus?.stop();
      await sim?.close();
    });

    test('/metrics and the embedded history hold the same rows, and each value at its time', async () => {
      const text = await page();
      const lines = text.split('\n').filter((l) => l.startsWith(`${FAMILY}{`));
      expect(lines.length).toBeGreaterThan(0);
      // Every row carries the time of its node's Hubble data.
      const stamped = new Map(exporter.hubble!.freshNodes().map((n) => [n.node, n.settledAt!]));
      for (const { labels } of rawSamples(text, FAMILY)) {
        expect(
          lines.some((l) => l.includes(`node="${labels.node}"`) && l.endsWith(` ${stamped.get(labels.node)}`))
        ).toBe(true);
      }
      const nodes = new Set(rawSamples(text, FAMILY).map((s) => s.labels.node));
      expect(nodes).toEqual(new Set(sim.nodes));
      expect(rawSamples(text, FAMILY).some((s) => s.labels.source_workload === '(other)')).toBe(true);

      const at = Math.max(...stamped.values());
      const [latest] = await exporter.backend
        .reader()
        .evaluate([maxBy(PAIR, last(selector(FAMILY)))], instantGrid(at, INTERVAL_MS));
      const metrics = new Map(
        rawSamples(text, FAMILY).map((s) => [JSON.stringify(PAIR.map((l) => s.labels[l])), s.value])
      );
      const history = new Map(
        latest
          .filter((s) => s.values[0] !== null)
          .map((s) => [JSON.stringify(PAIR.map((l) => s.labels[l])), s.values[0]])
      );
      // The history also keeps the pairs that left the kept set within the lookback; /metrics has the current ones.
      expect(metrics.size).toBeGreaterThan(sim.nodes.length);
      for (const [key, value] of metrics) {
        expect([key, history.get(key)]).toEqual([key, value]);
      }
    });

    test('workloadDrops answers the same from both backends: top pairs, others, filters, the table (the policies from Relay on the exporter only)', async () => {
      const queries: ScopeQuery[] = [
        { refId: 'A', queryType: 'workloadDrops', topN: 4, others: true },
        { refId: 'B', queryType: 'workloadDrops', view: 'table', limit: 50 },
        {
          refId: 'C',
          queryType: 'workloadDrops',
          reason: 'Policy denied',
          node: [sim.nodes[0], sim.nodes[2]],
          topN: 3,
          others: true,
        },
        { refId: 'D', queryType: 'workloadDrops', namespace: ['payments', 'shop'], topN: 5, others: true },
      ];
      const ask = async (url: string) => {
        const res = await fetch(`${url}/api/v1/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ from, to, intervalMs: INTERVAL_MS, maxDataPoints: 1000, queries }),
        });
        expect(res.status).toBe(200);
        return ((await res.json()) as QueryResponse).results;
      };
      const [embedded, fromPrometheus] = await Promise.all([ask(exporter.url), ask(replica.url)]);
      const relayColumns = new Set(['Denying policy', 'Ports']);
      for (const q of queries) {
        const [got, want] = [fromPrometheus[q.refId], embedded[q.refId]];
        expect([q.refId, got.error, want.error]).toEqual([q.refId, undefined, undefined]);
        expect([q.refId, got.frames.length]).toEqual([q.refId, want.frames.length]);
        got.frames.forEach((frame, i) => {
          const other = want.frames[i];
          expect([q.refId, frame.schema.fields.map((f) => [f.name, f.labels, f.config?.displayNameFromDS])]).toEqual([
            q.refId,
            other.schema.fields.map((f) => [f.name, f.labels, f.config?.displayNameFromDS]),
          ]);
          frame.schema.fields.forEach((field, c) => {
            if (relayColumns.has(field.name)) {
              return;
            }
            const [a, b] = [frame.data.values[c], other.data.values[c]];
            expect([q.refId, field.name, a.length]).toEqual([q.refId, field.name, b.length]);
            a.forEach((v, k) =>
              expect([q.refId, field.name, k, close(v, b[k]) || v]).toEqual([q.refId, field.name, k, true])
            );
          });
        });
      }
      // Not a comparison of nothing: pairs and others drawn, table rows, the policies Relay named on the exporter only.
      expect(embedded.A.frames.length).toBe(5);
      expect(embedded.C.frames.length).toBeGreaterThan(1);
      expect(embedded.D.frames.length).toBeGreaterThan(1);
      const table = (r: typeof embedded) => r.B.frames[0];
      const policies = (r: typeof embedded) =>
        table(r).data.values[table(r).schema.fields.findIndex((f) => f.name === 'Denying policy')] as string[];
      expect(policies(embedded).some((p) => p !== '')).toBe(true);
      expect(policies(fromPrometheus).every((p) => p === '')).toBe(true);
      expect(table(fromPrometheus).schema.meta?.notices?.[0].text).toMatch(/Denying policies are not known here/);
      expect(table(embedded).schema.meta?.notices).toBeUndefined();
    });

    test('the variables list the same namespaces and workloads from both backends', async () => {
      const list = async (url: string, path: string) =>
        (await fetch(`${url}${path}${path.includes('?') ? '&' : '?'}from=${from}&to=${to}`)).json();
      for (const path of [
        '/api/v1/namespaces?dropped=true',
        '/api/v1/workloads',
        '/api/v1/workloads?namespace=shop,payments',
      ]) {
        const [a, b] = await Promise.all([list(exporter.url, path), list(replica.url, path)]);
        expect([path, b]).toEqual([path, a]);
      }
      expect((await list(exporter.url, '/api/v1/workloads')).workloads.length).toBeGreaterThan(3);
    });

    test('rates, increases and last values over the pairs are the same from both backends', async () => {
      const grid = makeGrid(from, to, INTERVAL_MS, 1000, INTERVAL_MS);
      const all = selector(FAMILY);
      const exprs: Array<[string, Expr]> = [
        ['rate per pair', sumBy(PAIR, rate(all))],
        ['increase per node and reason', sumBy(['node', 'reason'], increase(all))],
        [
          'ingress rate per source workload',
          sumBy(['source_namespace', 'source_workload'], rate(selector(FAMILY, matcher('direction', ['INGRESS'])))),
        ],
        ['last counter per pair', maxBy(PAIR, last(all))],
        [
          'rate of the relay-fed node',
          sumBy(['reason', 'direction'], rate(selector(FAMILY, matcher('node', [sim.nodes[2]])))),
        ],
      ];
      const embedded = await exporter.backend.reader().evaluate(
        exprs.map(([, e]) => e),
        grid
      );
      const fromPrometheus = await replica.backend.reader().evaluate(
        exprs.map(([, e]) => e),
        grid
      );
      expect(replica.backend.kind).toBe('prometheus');
      for (const [i, [name]] of exprs.entries()) {
        expect([name, differ(fromPrometheus[i], embedded[i])]).toEqual([name, null]);
      }
      // Not a comparison of nothing: rates on every node, the relay-fed one included, and (other) rows.
      const rates = embedded[0];
      expect(new Set(rates.filter((s) => s.values.some((v) => v !== null && v > 0)).map((s) => s.labels.node))).toEqual(
        new Set(sim.nodes)
      );
      expect(
        rates.some((s) => s.labels.source_workload === '(other)' && s.values.some((v) => v !== null && v > 0))
      ).toBe(true);
      expect(embedded[4].length).toBeGreaterThan(0);
    });
  }
);
