/**
 * At scale: two shards write, Prometheus stores, a query replica reads. The built plugin (in Chromium, through an
 * emulated data proxy, as plugin-exporter.test.ts drives it) is pointed at the replica too. A simulated cluster (with its Kubernetes
 * API), two exporters `--shard 0/2` and `1/2` scraping it, a real Prometheus scraping both every second, and a query
 * replica (`--history-backend prometheus`, no targets, its own Kubernetes join for the unmanaged pods).
 *
 * The reference is the shards' own embedded rings read as one history: they hold exactly the samples the shards
 * wrote to /metrics, so every query type and view of the replica must give the same numbers within float
 * tolerance (see history-support.ts). Series Prometheus stamps with its own scrape time (the exporter's view of
 * its targets, the Kubernetes counts) may lag by a step. Then: the rightmost point is the current value, a restart
 * of the replica loses nothing, hostile filters match nothing, and with Prometheus stopped the panels and
 * /api/v1/status say so, the replica keeps running and recovers when Prometheus is back on the same data.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type RunningExporter, queryReplicaConfig, startExporter } from '../../exporter/app';
import { annotationEvents } from '../../exporter/http/annotations';
import { runQueries } from '../../exporter/http/query';
import { VERSION } from '../../exporter/version';
import { type RunningSimulator, startSimulator, writeKubeconfig } from '../../simulator';
import type {
  AnnotationsResponse,
  DropReasonsResponse,
  NodesResponse,
  QueryRequest,
  QueryResponse,
  ScopeQuery,
  StatusResponse,
} from '../../src/contract';
import { QUERY_TYPE_ORDER, viewsOf } from '../../src/queryCatalog';
import { testConfig } from '../support/config';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus';
import { BUILT_PLUGIN, CHROMIUM, describeWith } from '../support/tools';
import { REPO_ROOT, buildHostPage, hostMounts } from '../../tools/browser-host/build';
import { DIST_DIR, PLUGIN_ID } from '../../tools/browser-host/builtPlugin';
import { launchChromium } from '../../tools/browser-host/chromium';
import { type ProxyRoute, dataProxyHandler } from '../../tools/browser-host/dataProxy';
import { type StaticServer, startStaticServer } from '../../tools/browser-host/server';
import { FAST_TIMING } from './kube-support';
import { comparableNodes, framesDiffer, unionCluster, unionKube, unionReader } from './history-support';

const INTERVAL_MS = 2000;
const CYCLES = 12;
const RESTART_AT = 6;

/** Every query type and view, per node and cluster-wide. */
const QUERIES: Array<Omit<ScopeQuery, 'refId'>> = [
  { queryType: 'endpoints' },
  { queryType: 'endpoints', groupBy: 'node' },
  { queryType: 'podEndpointDelta', groupBy: 'node' },
  { queryType: 'podEndpointDelta' },
  { queryType: 'unmanagedPods' },
  { queryType: 'regeneration', view: 'latency', quantiles: [0.5, 0.9] },
  { queryType: 'regeneration', view: 'latency', groupBy: 'node' },
  { queryType: 'regeneration', view: 'rate', groupBy: 'node' },
  { queryType: 'packetFlow' },
  { queryType: 'packetFlow', unit: 'bytes', groupBy: 'node' },
  { queryType: 'drops', view: 'rate' },
  { queryType: 'drops', groupBy: 'node', unit: 'bytes' },
  { queryType: 'drops', view: 'topNodes', limit: 4 },
  { queryType: 'policy', view: 'count' },
  { queryType: 'policy', view: 'count', groupBy: 'node' },
  { queryType: 'policy', view: 'revision' },
  { queryType: 'policy', view: 'importErrors', groupBy: 'node' },
  { queryType: 'policy', view: 'enforcement' },
  { queryType: 'agentHealth', view: 'status' },
  { queryType: 'agentHealth', view: 'up' },
  { queryType: 'agentHealth', view: 'up', groupBy: 'node' },
  { queryType: 'agentHealth', view: 'scrapeDuration', groupBy: 'node' },
  { queryType: 'anomaly', view: 'bands' },
  { queryType: 'anomaly', view: 'scores' },
  // The one-question views.
  { queryType: 'endpoints', view: 'notReady' },
  { queryType: 'endpoints', view: 'notReady', groupBy: 'node' },
  { queryType: 'podEndpointDelta', view: 'delta', groupBy: 'node' },
  { queryType: 'unmanagedPods', view: 'count' },
  { queryType: 'regeneration', view: 'failures', groupBy: 'node' },
  { queryType: 'policy', view: 'revisionSkew', groupBy: 'node' },
  { queryType: 'policy', view: 'revisionSkew' },
  { queryType: 'policy', view: 'importErrorsInRange', groupBy: 'node' },
  { queryType: 'agentHealth', view: 'versions' },
  { queryType: 'agentHealth', view: 'status', limit: 3 },
  { queryType: 'anomaly', view: 'summary' },
  // Top N (topk/bottomk in the replica's PromQL) and "other nodes".
  { queryType: 'endpoints', groupBy: 'node', topN: 2, others: true },
  { queryType: 'endpoints', view: 'notReady', groupBy: 'node', topN: 2, others: true },
  { queryType: 'podEndpointDelta', groupBy: 'node', topN: 2, others: true },
  { queryType: 'regeneration', view: 'failures', groupBy: 'node', topN: 2, others: true },
  { queryType: 'regeneration', view: 'latency', groupBy: 'node', topN: 2, others: true },
  { queryType: 'packetFlow', groupBy: 'node', topN: 2, others: true },
  { queryType: 'drops', groupBy: 'node', topN: 3, others: true },
  { queryType: 'policy', view: 'count', groupBy: 'node', topN: 2, others: true },
  { queryType: 'policy', view: 'importErrors', groupBy: 'node', topN: 2, others: true },
  { queryType: 'policy', view: 'revisionSkew', groupBy: 'node', topN: 2, others: true },
  { queryType: 'agentHealth', view: 'up', groupBy: 'node', topN: 2, others: true },
  { queryType: 'agentHealth', view: 'scrapeDuration', groupBy: 'node', topN: 2, others: true },
  { queryType: 'anomaly', view: 'bands', topN: 2 },
];
const refOf = (i: number) => `Q${i}`;
/**
 * Read from series Prometheus stamps with its own scrape time (targets up, the Kubernetes counts): a step of
 * alignment allowed, on a step of two intervals, longer than Prometheus's lag even on a busy machine.
 */
const aligned = (q: Omit<ScopeQuery, 'refId'>) =>
  q.queryType === 'podEndpointDelta' ||
  (q.queryType === 'unmanagedPods' && q.view === 'count') ||
  (q.queryType === 'agentHealth' && q.view === 'up');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PageResult {
  frames: Array<{ refId: string; length: number; fields: Array<{ name: string; type: string; values: unknown[] }> }>;
  errors: Array<{ refId?: string; message?: string; status?: number }>;
}

describeWith(
  [{ binary: '/usr/bin/prometheus' }, { binary: CHROMIUM }, BUILT_PLUGIN],
  'history from Prometheus: two shards and a query replica',
  () => {
    jest.setTimeout(120_000);
    let sim: RunningSimulator;
    let dir: string;
    let kubeconfig: string;
    let prometheus: RunningPrometheus;
    const shards: RunningExporter[] = [];
    let replica: RunningExporter;
    let range: { from: number; to: number; intervalMs: number; maxDataPoints: number };
    const timings: Record<string, number> = {};
    const started = Date.now();
    let server: StaticServer | null = null;
    let browser: Browser | null = null;
    let page: Page;

    /** The built plugin in Chromium, its datasource pointed at the replica through the data proxy. */
    const openPlugin = async () => {
      const routes = (
        JSON.parse(readFileSync(join(REPO_ROOT, 'src', 'plugin.json'), 'utf8')) as { routes: ProxyRoute[] }
      ).routes;
      const host = await buildHostPage({
        entry: join(REPO_ROOT, 'test', 'browser', 'pages', 'plugin.tsx'),
        title: 'plugin ⟷ query replica',
      });
      server = await startStaticServer(hostMounts(host, PLUGIN_ID, DIST_DIR), [
        dataProxyHandler([{ uid: 'replica', routes, jsonData: { url: replica.url }, secureJsonData: {} }]),
      ]);
      browser = await launchChromium();
      page = await browser.newPage();
      await page.goto(`${server.url}/`);
      await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
      await page.evaluate(() => (window as any).page.useHttpBackend());
      await page.evaluate((settings) => (window as any).page.loadPlugin(settings), {
        uid: 'replica',
        jsonData: { url: replica.url },
      });
    };
    const pluginQuery = (body: QueryRequest): Promise<PageResult> =>
      page.evaluate(([t, r]) => (window as any).page.runQuery(t, r), [
        body.queries,
        { from: body.from, to: body.to, intervalMs: body.intervalMs },
      ] as const);
    const pluginTest = (): Promise<{ status: string; message: string; details?: { message: string } }> =>
      page.evaluate(() => (window as any).page.testDatasource());

    const kubeSettings = () => ({
      connection: { kind: 'kubeconfig' as const, path: kubeconfig, context: null },
      discover: false,
      namespace: 'kube-system',
      agent: { selector: 'k8s-app=cilium', port: 9962, urlTemplate: '' },
      operator: { selector: 'io.cilium/app=operator', port: 9963, urlTemplate: '' },
      timing: FAST_TIMING,
    });
    const startReplica = (port = 0) =>
      startExporter(
        queryReplicaConfig(prometheus.url, [
          '--listen',
          `127.0.0.1:${port}`,
          '--log-level',
          'silent',
          '--scrape-interval',
          `${INTERVAL_MS}ms`,
          '--prometheus-scrape-interval',
          '1s',
          '--prometheus-timeout',
          '3s',
          '--kubeconfig',
          kubeconfig,
          '--discover=false',
        ])
      );

    /** One scrape cycle of both shards, then until Prometheus holds its samples and has scraped both after it. */
    const cycle = async () => {
      sim.tick();
      await Promise.all(shards.map((s) => s.scrapeNow()));
      const end = Date.now();
      const sampled = Math.min(...shards.flatMap((s) => s.model.nodes().map((n) => n.sampleAt ?? 0)));
      // Every node's new sample, and a scrape of both shards after the cycle (the operator too): 6 + 6 + 1 series.
      for (const [expr, want] of [
        [`count(timestamp(ciliumscope_pod_endpoints) * 1000 >= ${sampled})`, 6],
        [`count(timestamp(ciliumscope_target_up) * 1000 >= ${end})`, 7],
      ] as const) {
        const deadline = Date.now() + 10_000;
        while (((await prometheus.query(expr))[0]?.value ?? 0) < want) {
          if (Date.now() > deadline) {
            throw new Error(`Prometheus did not catch up (${expr} < ${want}):\n${prometheus.log()}`);
          }
          await sleep(100);
        }
      }
    };

    const ask = async <T>(e: RunningExporter, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
      const res = await fetch(`${e.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as T };
    };
    const request = (over: Partial<QueryRequest> = {}): QueryRequest => ({
      ...range,
      queries: QUERIES.map((q, i) => ({ refId: refOf(i), ...q }) as ScopeQuery),
      ...over,
    });
    /** The same request answered by the embedded history of the shards, read as one. */
    const reference = async (body: QueryRequest) =>
      runQueries(
        body as QueryRequest & { queries: ScopeQuery[] },
        {
          history: unionReader(shards),
          cluster: unionCluster(shards),
          kube: { ...replica.kube!.queries, ...unionKube(shards) },
        },
        INTERVAL_MS
      );

    beforeAll(async () => {
      // Seed 9: three pods without a CiliumEndpoint, every node with an agent.
      sim = await startSimulator({ nodes: 6, seed: 9, autoTickMs: 0, pageKB: 12, kube: { token: 'sim-token' } });
      dir = mkdtempSync(join(tmpdir(), 'ciliumscope-history-'));
      kubeconfig = await writeKubeconfig(sim, join(dir, 'kubeconfig'), {});
      for (const index of [0, 1]) {
        shards.push(
          await startExporter(
            testConfig({
              agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
              operator: { node: '', url: sim.operatorUrl },
              scrapeIntervalMs: INTERVAL_MS,
              scrapeTimeoutMs: 1500,
              // Cycles are driven by the test and stop after the last one: no node goes stale while it runs.
              staleAfterMs: 600_000,
              shard: { index, count: 2 },
              kube: kubeSettings(),
            }),
            { autoScrape: false }
          )
        );
      }
      await Promise.all(shards.map((s) => s.kube!.whenSynced(10_000)));
      prometheus = await startPrometheus({
        targets: shards.map((s) => new URL(s.url).host),
        scrapeInterval: '1s',
        scrapeTimeout: '900ms',
      });
      timings.prometheusReadyMs = Date.now() - started;
      // Prometheus starts scraping a few seconds after it is ready (its discovery sends targets at most every 5 s).
      for (
        let deadline = Date.now() + 20_000;
        ((await prometheus.query('count(up == 1)'))[0]?.value ?? 0) < 2;
        await sleep(200)
      ) {
        if (Date.now() > deadline) {
          throw new Error(`Prometheus does not scrape both shards:\n${prometheus.log()}`);
        }
      }
      timings.prometheusScrapingMs = Date.now() - started;
      replica = await startReplica();
      await replica.kube!.whenSynced(10_000);
      let from = 0;
      for (let k = 0; k < CYCLES; k++) {
        const at = Date.now();
        if (k === RESTART_AT) {
          sim.setFault(sim.nodes[1], 'restart');
        }
        await cycle();
        // The range starts once Prometheus holds a first scrape of both shards after a cycle: before that, a series it
        // stamps itself (targets up) may have been scraped from one shard only, which no step of alignment can match.
        from ||= Date.now();
        await sleep(Math.max(0, at + INTERVAL_MS - Date.now()));
      }
      range = { from, to: Date.now(), intervalMs: INTERVAL_MS, maxDataPoints: 1000 };
      timings.cyclesDoneMs = Date.now() - started;
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await replica?.close();
      await Promise.all(shards.map((s) => s.close()));
      await prometheus?.stop();
      await sim?.close();
      if (dir) {
        rmSync(dir, { recursive: true, force: true });
      }
      console.log(`history-prometheus timings (ms): ${JSON.stringify(timings)}`);
    });

    test('the replica scrapes nothing and answers for the nodes of both shards', async () => {
      expect(replica.replica).toBe(true);
      const owned = shards.map((s) => s.model.nodes().map((n) => n.name));
      expect(owned.every((names) => names.length > 0)).toBe(true);
      const { json } = await ask<NodesResponse>(replica, '/api/v1/nodes');
      expect(json.nodes.map((n) => n.name)).toEqual([...sim.nodes].sort());
      expect(comparableNodes(json.nodes)).toEqual(comparableNodes(await unionCluster(shards).nodes()));
      const seen = (await ask<DropReasonsResponse>(replica, '/api/v1/drop-reasons')).json.reasons
        .filter((r) => r.seen)
        .map((r) => r.reason);
      const shardsSeen = new Set(
        (
          await Promise.all(
            shards.map(async (s) =>
              (await ask<DropReasonsResponse>(s, '/api/v1/drop-reasons')).json.reasons
                .filter((r) => r.seen)
                .map((r) => r.reason)
            )
          )
        ).flat()
      );
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(shardsSeen);
      const status = (await ask<StatusResponse>(replica, '/api/v1/status')).json;
      expect(status.nodes).toEqual({ total: 6, up: 6, down: 0, stale: 0 });
      expect(status.operator).toEqual({ configured: true, up: true, error: null });
      expect(status.history).toMatchObject({
        backend: 'prometheus',
        url: prometheus.url,
        state: 'ok',
        lastError: null,
      });
    });

    test("every query type and view equals the shards' embedded history, within float tolerance", async () => {
      const listed = new Set(QUERIES.map((q) => `${q.queryType}/${q.view ?? ''}`));
      // This cluster has no Hubble: hubble-history.test.ts compares workloadDrops on both backends over Hubble's pairs.
      for (const type of QUERY_TYPE_ORDER.filter((t) => t !== 'workloadDrops')) {
        for (const view of viewsOf(type).length ? viewsOf(type).map((v) => v.value) : ['']) {
          expect(listed.has(`${type}/${view}`) || (view !== '' && listed.has(`${type}/`))).toBe(true);
        }
      }
      const exact = request();
      const wide = request({ intervalMs: 2 * INTERVAL_MS });
      const got = {
        exact: (await ask<QueryResponse>(replica, '/api/v1/query', exact)).json,
        wide: (await ask<QueryResponse>(replica, '/api/v1/query', wide)).json,
      };
      const want = { exact: await reference(exact), wide: await reference(wide) };
      let points = 0;
      for (const [i, q] of QUERIES.entries()) {
        const g = got[aligned(q) ? 'wide' : 'exact'].results[refOf(i)];
        const w = want[aligned(q) ? 'wide' : 'exact'][refOf(i)];
        expect([q, g.error]).toEqual([q, undefined]);
        const differ = framesDiffer(g.frames, w.frames, aligned(q), q.queryType === 'unmanagedPods' ? ['Age'] : []);
        expect([q, differ]).toEqual([q, null]);
        points += g.frames.reduce((n, f) => n + (f.data.values[1]?.length ?? 0), 0);
      }
      // Not vacuous: both shards' nodes are in the per-node answers, and there are numbers to compare.
      const unmanagedRows =
        got.exact.results[refOf(QUERIES.findIndex((q) => q.queryType === 'unmanagedPods'))].frames[0].data.values[0];
      expect(unmanagedRows.length).toBeGreaterThan(0);
      const perNode = got.exact.results[refOf(1)].frames.map((f) => f.schema.fields[1].labels?.node);
      expect(new Set(perNode)).toEqual(new Set(sim.nodes));
      // Top N: at most N nodes of the 6, and "other nodes (K)" for the rest where the query has a cluster view.
      for (const [i, q] of QUERIES.entries()) {
        if (q.topN && q.groupBy === 'node') {
          const frames = got.exact.results[refOf(i)].frames;
          const nodes = new Set(frames.map((f) => f.schema.fields[1]?.labels?.node).filter(Boolean));
          const others = new Set(frames.map((f) => f.schema.fields[1]?.labels?.others).filter(Boolean));
          expect([q, nodes.size > 0 && nodes.size <= q.topN, [...others]]).toEqual([q, true, [String(6 - nodes.size)]]);
        }
      }
      expect(points).toBeGreaterThan(1000);
      for (const kind of ['agentRestarts', 'policyImportErrors', 'dropAnomalies'] as const) {
        const replicaEvents = (
          await ask<AnnotationsResponse>(replica, '/api/v1/annotations', { from: range.from, to: range.to, kind })
        ).json;
        const embedded = await annotationEvents(
          unionReader(shards),
          { from: range.from, to: range.to, kind },
          INTERVAL_MS
        );
        expect([kind, replicaEvents.annotations]).toEqual([kind, embedded]);
        if (kind === 'agentRestarts') {
          expect(embedded.map((e) => e.node)).toEqual([sim.nodes[1]]);
        }
      }
      timings.comparedMs = Date.now() - started;
    });

    test('the rightmost point is the current value once its step has begun, wherever `to` falls', async () => {
      const lastSample = Math.max(...shards.flatMap((s) => s.model.nodes().map((n) => n.sampleAt ?? 0)));
      await sleep(Math.max(0, Math.ceil(lastSample / INTERVAL_MS) * INTERVAL_MS - Date.now() + 5));
      for (const ahead of [0, 1500]) {
        const to = Date.now() + ahead;
        const body = {
          from: to - 60_000,
          to,
          intervalMs: INTERVAL_MS,
          maxDataPoints: 1000,
          queries: [{ refId: 'A', queryType: 'endpoints', groupBy: 'node' } as ScopeQuery],
        };
        const { json } = await ask<QueryResponse>(replica, '/api/v1/query', body);
        const truth = sim.truth();
        for (const node of sim.nodes) {
          const frame = json.results.A.frames.find(
            (f) => f.schema.fields[1].labels?.node === node && f.schema.fields[1].labels?.state === 'ready'
          )!;
          const [times, values] = frame.data.values as [number[], number[]];
          expect(times[times.length - 1]).toBeLessThanOrEqual(to);
          expect([ahead, node, values[values.length - 1]]).toEqual([
            ahead,
            node,
            truth.nodes[node].agent!.endpointStates.ready,
          ]);
        }
      }
    });

    test('label values from the request only ever match themselves', async () => {
      const node = sim.nodes[0];
      const body = request({
        queries: [
          {
            refId: 'A',
            queryType: 'endpoints',
            groupBy: 'node',
            node: ['.*', `${node}|x`, '"} or vector(1) or {a="', node],
          },
        ],
      });
      const { status, json } = await ask<QueryResponse>(replica, '/api/v1/query', body);
      expect(status).toBe(200);
      expect(json.results.A.error).toBeUndefined();
      expect(new Set(json.results.A.frames.map((f) => f.schema.fields[1].labels?.node))).toEqual(new Set([node]));
      const none = await ask<QueryResponse>(
        replica,
        '/api/v1/query',
        request({ queries: [{ refId: 'A', queryType: 'drops', node: '.+' }] })
      );
      expect(none.json.results.A.frames.every((f) => f.data.values[0].length === 0)).toBe(true);
    });

    test('the built plugin against the replica: health check and every query, through the data proxy', async () => {
      await openPlugin();
      const health = await pluginTest();
      expect(health.status).toBe('success');
      expect(health.message).toBe(`Cilium Scope exporter ${VERSION}: 6 nodes seen (6 up).`);
      expect(health.details?.message).toContain(`History: read from Prometheus at ${prometheus.url} (last answer at `);
      const body = request({
        from: range.from + 3,
        queries: request().queries.filter((q) => q.queryType !== 'unmanagedPods'),
      });
      const result = await pluginQuery(body);
      const direct = (await ask<QueryResponse>(replica, '/api/v1/query', body)).json;
      expect(result.errors).toEqual([]);
      for (const q of body.queries) {
        const expected = direct.results[q.refId].frames;
        const frames = result.frames.filter((f) => f.refId === q.refId);
        expect([q.refId, frames.length]).toEqual([q.refId, expected.length]);
        expected.forEach((frame, i) =>
          expect([q.refId, frames[i].fields.map((f) => f.values)]).toEqual([q.refId, frame.data.values])
        );
      }
      timings.pluginCheckedMs = Date.now() - started;
    });

    test('a restart of the replica loses no history', async () => {
      const body = request({ queries: request().queries.filter((q) => q.queryType !== 'unmanagedPods') });
      const before = (await ask<QueryResponse>(replica, '/api/v1/query', body)).json;
      // On the same port: the plugin's datasource keeps its URL.
      const port = replica.port;
      await replica.close();
      replica = await startReplica(port);
      await replica.kube!.whenSynced(10_000);
      const after = (await ask<QueryResponse>(replica, '/api/v1/query', body)).json;
      for (const q of body.queries.filter((x) => !aligned(x) && x.view !== 'status')) {
        expect([q, framesDiffer(after.results[q.refId].frames, before.results[q.refId].frames)]).toEqual([q, null]);
      }
    });

    test('Prometheus stopped: each panel and /api/v1/status name the backend and the cause; back on the same data, it all recovers', async () => {
      await prometheus.pause();
      // Another range length, so no answer cached in this scrape interval is served.
      const down = await ask<QueryResponse>(replica, '/api/v1/query', request({ from: range.from + 1 }));
      expect(down.status).toBe(200);
      const expected = `history backend prometheus (${prometheus.url}): cannot connect: ECONNREFUSED`;
      for (const [i, q] of QUERIES.entries()) {
        const r = down.json.results[refOf(i)];
        if (q.queryType === 'unmanagedPods' && q.view !== 'count') {
          expect(r.error).toBeUndefined();
        } else {
          expect([q, r.error, r.status]).toEqual([q, expected, 502]);
        }
      }
      const status = (await ask<StatusResponse>(replica, '/api/v1/status')).json;
      expect(status.history).toMatchObject({ backend: 'prometheus', state: 'error', lastError: expected });
      expect(status.nodes.total).toBe(0);
      expect((await fetch(`${replica.url}/healthz`)).status).toBe(200);
      const nodes = await ask<{ error: string }>(replica, '/api/v1/nodes');
      expect(nodes).toEqual({ status: 502, json: { error: expected } });
      // The plugin: the health check fails with the backend's error, each panel shows it on its own query.
      const health = await pluginTest();
      expect(health.status).toBe('error');
      expect(health.message).toBe(
        `Connected to Cilium Scope exporter ${VERSION}, but its ${expected}. Panels cannot load until the history backend answers; the exporter keeps running and tries again at every request.`
      );
      const panels = await pluginQuery(
        request({
          from: range.from + 4,
          queries: [
            { refId: 'A', queryType: 'endpoints' },
            { refId: 'B', queryType: 'drops' },
          ],
        })
      );
      expect(panels.errors).toEqual([
        { refId: 'A', message: expected, status: 502 },
        { refId: 'B', message: expected, status: 502 },
      ]);

      await prometheus.resume();
      timings.prometheusRestartedMs = Date.now() - started;
      // Every answer again, with all the history written before the restart.
      const body = request({ from: range.from + 2, intervalMs: 2 * INTERVAL_MS });
      const again = await ask<QueryResponse>(replica, '/api/v1/query', body);
      const want = await reference(body);
      for (const [i, q] of QUERIES.entries()) {
        const r = again.json.results[refOf(i)];
        expect([q, r.error]).toEqual([q, undefined]);
        expect([
          q,
          framesDiffer(r.frames, want[refOf(i)].frames, aligned(q), q.queryType === 'unmanagedPods' ? ['Age'] : []),
        ]).toEqual([q, null]);
      }
      expect((await ask<StatusResponse>(replica, '/api/v1/status')).json.history.state).toBe('ok');
      expect((await pluginTest()).status).toBe('success');
    });
  }
);
