/**
 * The cluster of history-prometheus.test.ts, started once for its tests: a simulated cluster (with its Kubernetes
 * API), two exporters `--shard 0/2` and `1/2` scraping it, a real Prometheus scraping both every second, a query
 * replica (`--history-backend prometheus`, no targets, its own Kubernetes join for the unmanaged pods) and, on
 * demand, the built plugin in Chromium pointed at the replica through an emulated data proxy. The reference answers
 * come from the shards' own embedded rings read as one history (history-support.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type RunningExporter, queryReplicaConfig, startExporter } from '../../exporter/app';
import { runQueries } from '../../exporter/http/query';
import { type RunningSimulator, startSimulator, writeKubeconfig } from '../../simulator';
import type { QueryRequest, ScopeQuery } from '../../src/contract';
import { testConfig } from '../support/config';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus';
import { REPO_ROOT, buildHostPage, hostMounts } from '../../tools/browser-host/build';
import { DIST_DIR, PLUGIN_ID } from '../../tools/browser-host/builtPlugin';
import { launchChromium } from '../../tools/browser-host/chromium';
import { type ProxyRoute, dataProxyHandler } from '../../tools/browser-host/dataProxy';
import { type StaticServer, startStaticServer } from '../../tools/browser-host/server';
import { FAST_TIMING } from './kube-support';
import { unionCluster, unionKube, unionReader } from './history-support';

export const INTERVAL_MS = 2000;
const CYCLES = 12;
const RESTART_AT = 6;

/** Every query type and view, per node and cluster-wide. */
export const QUERIES: Array<Omit<ScopeQuery, 'refId'>> = [
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
export const refOf = (i: number) => `Q${i}`;
/**
 * Read from series Prometheus stamps with its own scrape time (targets up, the Kubernetes counts): a step of
 * alignment allowed, on a step of two intervals, longer than Prometheus's lag even on a busy machine.
 */
export const aligned = (q: Omit<ScopeQuery, 'refId'>) =>
  q.queryType === 'podEndpointDelta' ||
  (q.queryType === 'unmanagedPods' && q.view === 'count') ||
  (q.queryType === 'agentHealth' && q.view === 'up');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PageResult {
  frames: Array<{ refId: string; length: number; fields: Array<{ name: string; type: string; values: unknown[] }> }>;
  errors: Array<{ refId?: string; message?: string; status?: number }>;
}

/** GET (no body) or POST a JSON body to an exporter; the status and the parsed answer. */
export async function ask<T>(e: RunningExporter, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${e.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

export interface HistoryCluster {
  sim: RunningSimulator;
  prometheus: RunningPrometheus;
  shards: RunningExporter[];
  replica: RunningExporter;
  /** The range the cycles wrote: from Prometheus's first scrape of both shards after a cycle to the last cycle. */
  range: { from: number; to: number; intervalMs: number; maxDataPoints: number };
  /** Milestones in ms since the start, printed at the end. */
  timings: Record<string, number>;
  started: number;
  /** Every query of QUERIES over the range, with `over` laid on top. */
  request(over?: Partial<QueryRequest>): QueryRequest;
  /** The same request answered by the embedded history of the shards, read as one. */
  reference(body: QueryRequest): ReturnType<typeof runQueries>;
  /** Closes the replica and starts a new one on the same port (the plugin's datasource keeps its URL). */
  restartReplica(): Promise<void>;
  /** The built plugin in Chromium, its datasource pointed at the replica through the data proxy. */
  openPlugin(): Promise<void>;
  pluginQuery(body: QueryRequest): Promise<PageResult>;
  pluginTest(): Promise<{ status: string; message: string; details?: { message: string } }>;
}

/**
 * Starts the cluster before the tests of the calling describe block (CYCLES scrape cycles, an agent restart at
 * RESTART_AT) and stops it after them; its members are set once beforeAll has run.
 */
export function historyCluster(): HistoryCluster {
  let dir: string;
  let kubeconfig: string;
  let server: StaticServer | null = null;
  let browser: Browser | null = null;
  let page: Page;
  const h = { shards: [] as RunningExporter[], timings: {}, started: Date.now() } as unknown as HistoryCluster;

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
      queryReplicaConfig(h.prometheus.url, [
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
    h.sim.tick();
    await Promise.all(h.shards.map((s) => s.scrapeNow()));
    const end = Date.now();
    const sampled = Math.min(...h.shards.flatMap((s) => s.model.nodes().map((n) => n.sampleAt ?? 0)));
    // Every node's new sample, and a scrape of both shards after the cycle (the operator too): 6 + 6 + 1 series.
    for (const [expr, want] of [
      [`count(timestamp(ciliumscope_pod_endpoints) * 1000 >= ${sampled})`, 6],
      [`count(timestamp(ciliumscope_target_up) * 1000 >= ${end})`, 7],
    ] as const) {
      const deadline = Date.now() + 10_000;
      while (((await h.prometheus.query(expr))[0]?.value ?? 0) < want) {
        if (Date.now() > deadline) {
          throw new Error(`Prometheus did not catch up (${expr} < ${want}):\n${h.prometheus.log()}`);
        }
        await sleep(100);
      }
    }
  };

  h.request = (over = {}) => ({
    ...h.range,
    queries: QUERIES.map((q, i) => ({ refId: refOf(i), ...q }) as ScopeQuery),
    ...over,
  });
  h.reference = (body) =>
    runQueries(
      body as QueryRequest & { queries: ScopeQuery[] },
      {
        history: unionReader(h.shards),
        cluster: unionCluster(h.shards),
        kube: { ...h.replica.kube!.queries, ...unionKube(h.shards) },
      },
      INTERVAL_MS
    );
  h.restartReplica = async () => {
    const port = h.replica.port;
    await h.replica.close();
    h.replica = await startReplica(port);
    await h.replica.kube!.whenSynced(10_000);
  };
  h.openPlugin = async () => {
    const routes = (JSON.parse(readFileSync(join(REPO_ROOT, 'src', 'plugin.json'), 'utf8')) as { routes: ProxyRoute[] })
      .routes;
    const host = await buildHostPage({
      entry: join(REPO_ROOT, 'test', 'browser', 'pages', 'plugin.tsx'),
      title: 'plugin ⟷ query replica',
    });
    server = await startStaticServer(hostMounts(host, PLUGIN_ID, DIST_DIR), [
      dataProxyHandler([{ uid: 'replica', routes, jsonData: { url: h.replica.url }, secureJsonData: {} }]),
    ]);
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    await page.evaluate(() => (window as any).page.useHttpBackend());
    await page.evaluate((settings) => (window as any).page.loadPlugin(settings), {
      uid: 'replica',
      jsonData: { url: h.replica.url },
    });
  };
  h.pluginQuery = (body) =>
    page.evaluate(([t, r]) => (window as any).page.runQuery(t, r), [
      body.queries,
      { from: body.from, to: body.to, intervalMs: body.intervalMs },
    ] as const);
  h.pluginTest = () => page.evaluate(() => (window as any).page.testDatasource());

  beforeAll(async () => {
    // Seed 9: three pods without a CiliumEndpoint, every node with an agent.
    h.sim = await startSimulator({ nodes: 6, seed: 9, autoTickMs: 0, pageKB: 12, kube: { token: 'sim-token' } });
    dir = mkdtempSync(join(tmpdir(), 'ciliumscope-history-'));
    kubeconfig = await writeKubeconfig(h.sim, join(dir, 'kubeconfig'), {});
    for (const index of [0, 1]) {
      h.shards.push(
        await startExporter(
          testConfig({
            agents: h.sim.nodes.map((node) => ({ node, url: h.sim.agentUrl(node) })),
            operator: { node: '', url: h.sim.operatorUrl },
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
    await Promise.all(h.shards.map((s) => s.kube!.whenSynced(10_000)));
    h.prometheus = await startPrometheus({
      targets: h.shards.map((s) => new URL(s.url).host),
      scrapeInterval: '1s',
      scrapeTimeout: '900ms',
    });
    h.timings.prometheusReadyMs = Date.now() - h.started;
    // Prometheus starts scraping a few seconds after it is ready (its discovery sends targets at most every 5 s).
    for (
      let deadline = Date.now() + 20_000;
      ((await h.prometheus.query('count(up == 1)'))[0]?.value ?? 0) < 2;
      await sleep(200)
    ) {
      if (Date.now() > deadline) {
        throw new Error(`Prometheus does not scrape both shards:\n${h.prometheus.log()}`);
      }
    }
    h.timings.prometheusScrapingMs = Date.now() - h.started;
    h.replica = await startReplica();
    await h.replica.kube!.whenSynced(10_000);
    let from = 0;
    for (let k = 0; k < CYCLES; k++) {
      const at = Date.now();
      if (k === RESTART_AT) {
        h.sim.setFault(h.sim.nodes[1], 'restart');
      }
      await cycle();
      // The range starts once Prometheus holds a first scrape of both shards after a cycle: before that, a series it
      // stamps itself (targets up) may have been scraped from one shard only, which no step of alignment can match.
      from ||= Date.now();
      await sleep(Math.max(0, at + INTERVAL_MS - Date.now()));
    }
    h.range = { from, to: Date.now(), intervalMs: INTERVAL_MS, maxDataPoints: 1000 };
    h.timings.cyclesDoneMs = Date.now() - h.started;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h.replica?.close();
    await Promise.all(h.shards.map((s) => s.close()));
    await h.prometheus?.stop();
    await h.sim?.close();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`history-prometheus timings (ms): ${JSON.stringify(h.timings)}`);
  });

  return h;
}
