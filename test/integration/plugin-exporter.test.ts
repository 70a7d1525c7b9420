/**
 * The built plugin (dist/module.js, in Chromium, loaded like Grafana loads it) against a real exporter scraping
 * the simulator. The page's BackendSrv makes real HTTP requests to its own server, whose data proxy applies the
 * route of src/plugin.json as Grafana's server does (URL from jsonData, bearer token from secureJsonData), so
 * what is checked here is the whole path a dashboard panel takes, minus Grafana itself.
 */
import { createServer } from 'net';
import { join } from 'path';
import type { Browser, Page } from 'playwright-core';

import type { RunningExporter } from '../../exporter/app';
import { VERSION } from '../../exporter/version';
import type { RunningSimulator } from '../../simulator';
import type { AnnotationsResponse, DropReasonsResponse, QueryRequest, QueryResponse } from '../../src/contract';
import { QUERY_TYPE_ORDER } from '../../src/queryCatalog';
import { buildHostPage, hostMounts, REPO_ROOT } from '../../tools/browser-host/build';
import { assertBuiltPlugin, DIST_DIR, PLUGIN_ID, pluginRoutes } from '../../tools/browser-host/builtPlugin';
import { launchChromium } from '../../tools/browser-host/chromium';
import { dataProxyHandler, type ProxiedDatasource } from '../../tools/browser-host/dataProxy';
import { startStaticServer, type StaticServer } from '../../tools/browser-host/server';
import { type ScrapedCluster, startScrapedCluster } from '../support/scrapedCluster';

jest.setTimeout(180_000);

const TOKEN = 'plugin-integration-token';
const TICKS = 8;
const RESTART_TICK = 4;

interface PageResult {
  frames: Array<{ refId: string; length: number; fields: Array<{ name: string; type: string; values: unknown[] }> }>;
  errors: Array<{ refId?: string; message?: string; status?: number }>;
}

let cluster: ScrapedCluster;
let sim: RunningSimulator;
let exporter: RunningExporter;
let server: StaticServer;
let browser: Browser;
let page: Page;
let range: { from: number; to: number; intervalMs: number };
/** An exporter URL nothing answers on. */
let unreachable: string;
const pageErrors: string[] = [];

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Straight to the exporter, as the reference the plugin's answers are compared with. */
async function direct<T>(path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${exporter.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

async function useDatasource(uid: string, jsonData: Record<string, unknown>): Promise<void> {
  await page.evaluate((settings) => (window as any).page.loadPlugin(settings), { uid, jsonData });
}

const lastRequest = () =>
  page.evaluate(() => {
    const requests = (window as any).page.requests;
    return requests[requests.length - 1];
  });

beforeAll(async () => {
  assertBuiltPlugin();
  cluster = await startScrapedCluster({ nodes: 3, seed: 21, ticks: TICKS, restartTick: RESTART_TICK, token: TOKEN });
  ({ sim, exporter, range } = cluster);

  const routes = pluginRoutes(join(REPO_ROOT, 'src', 'plugin.json'));
  unreachable = `http://127.0.0.1:${await closedPort()}`;
  const datasources: ProxiedDatasource[] = [
    { uid: 'good', routes, jsonData: { url: exporter.url }, secureJsonData: { token: TOKEN } },
    { uid: 'wrong-token', routes, jsonData: { url: exporter.url }, secureJsonData: { token: 'not-the-token' } },
    { uid: 'no-token', routes, jsonData: { url: exporter.url }, secureJsonData: {} },
    { uid: 'unreachable', routes, jsonData: { url: unreachable }, secureJsonData: {} },
  ];
  const host = await buildHostPage({
    entry: join(REPO_ROOT, 'test', 'browser', 'pages', 'plugin.tsx'),
    title: 'plugin ⟷ exporter',
  });
  server = await startStaticServer(hostMounts(host, PLUGIN_ID, DIST_DIR), [dataProxyHandler(datasources)]);
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
  await page.evaluate(() => (window as any).page.useHttpBackend());
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cluster?.close();
});

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

describe('testDatasource() through the data proxy', () => {
  it('reports the exporter version and the nodes it scrapes', async () => {
    await useDatasource('good', { url: exporter.url });
    const result = await page.evaluate(() => (window as any).page.testDatasource());
    expect(result.status).toBe('success');
    expect(result.message).toBe(`Cilium Scope exporter ${VERSION}: 3 nodes seen (3 up).`);
    expect(result.details.message).toContain('Kubernetes: not connected');
    expect(result.details.message).toContain('Operator: up');
    expect(await lastRequest()).toMatchObject({
      method: 'GET',
      url: '/api/datasources/proxy/uid/good/api/api/v1/status',
    });
  });

  it('says to check the token when it is wrong', async () => {
    await useDatasource('wrong-token', { url: exporter.url });
    const result = await page.evaluate(() => (window as any).page.testDatasource());
    expect(result).toEqual({ status: 'error', message: expect.stringMatching(/^Unauthorized: check the token\./) });
    expect(result.message).toContain('the exporter said: invalid bearer token');
  });

  it('says to check the token when none is set and the exporter wants one', async () => {
    // The route still sends "Authorization: Bearer" with an empty secure value; the exporter refuses it.
    await useDatasource('no-token', { url: exporter.url });
    const result = await page.evaluate(() => (window as any).page.testDatasource());
    expect(result).toEqual({ status: 'error', message: expect.stringMatching(/^Unauthorized: check the token\./) });
  });

  it('says Grafana cannot reach the exporter when the URL is wrong', async () => {
    await useDatasource('unreachable', { url: unreachable });
    const result = await page.evaluate(() => (window as any).page.testDatasource());
    expect(result.status).toBe('error');
    expect(result.message.startsWith(`Grafana could not reach the exporter at ${unreachable} (502 Bad Gateway`)).toBe(
      true
    );
  });
});

describe('query() through the data proxy', () => {
  beforeAll(async () => {
    await useDatasource('good', { url: exporter.url, timeoutSeconds: 10 });
  });

  it("answers every query type with the exporter's frames, per-query errors on their own query", async () => {
    const targets = QUERY_TYPE_ORDER.map((queryType, i) => ({ refId: String.fromCharCode(65 + i), queryType }));
    const result: PageResult = await page.evaluate(([t, r]) => (window as any).page.runQuery(t, r), [
      targets,
      range,
    ] as const);

    const sent = (await lastRequest()) as { url: string; data: QueryRequest };
    expect(sent.url).toBe('/api/datasources/proxy/uid/good/api/api/v1/query');
    expect(sent.data).toEqual({
      from: range.from,
      to: range.to,
      intervalMs: range.intervalMs,
      maxDataPoints: 100,
      queries: targets,
    });

    const reference = await direct<QueryResponse>('/api/v1/query', sent.data);
    expect(reference.status).toBe(200);
    for (const { refId } of targets) {
      const expected = reference.json.results[refId];
      const frames = result.frames.filter((f) => f.refId === refId);
      expect([refId, frames.length]).toEqual([refId, expected.frames.length]);
      expected.frames.forEach((frame, i) => {
        expect([refId, frames[i].fields.map((f) => f.name)]).toEqual([refId, frame.schema.fields.map((f) => f.name)]);
        expect([refId, frames[i].fields.map((f) => f.values)]).toEqual([refId, frame.data.values]);
      });
      const errors = result.errors.filter((e) => e.refId === refId);
      expect([refId, errors.map((e) => e.message)]).toEqual([refId, expected.error ? [expected.error] : []]);
    }
    // The simulated cluster has endpoints, traffic and agents: those answers are not empty.
    for (const refId of ['A', 'E', 'F', 'H']) {
      const frames = result.frames.filter((f) => f.refId === refId);
      expect([refId, frames.length > 0 && frames[0].length > 0]).toEqual([refId, true]);
    }
  });

  it('sends a multi-value node variable as a node list and gets only those nodes back', async () => {
    const picked = sim.nodes.slice(0, 2);
    await page.evaluate((values) => (window as any).page.setVariables([{ name: 'node', values }]), picked);
    const result: PageResult = await page.evaluate(
      ([r]) =>
        (window as any).page.runQuery([{ refId: 'A', queryType: 'endpoints', groupBy: 'node', node: '$node' }], r),
      [range] as const
    );
    const sent = (await lastRequest()) as { data: QueryRequest };
    expect(sent.data.queries).toEqual([{ refId: 'A', queryType: 'endpoints', groupBy: 'node', node: picked }]);
    const reference = await direct<QueryResponse>('/api/v1/query', sent.data);
    const nodesInAnswer = new Set(reference.json.results.A.frames.map((f) => f.schema.fields[1]?.labels?.node));
    expect([...nodesInAnswer].sort()).toEqual([...picked].sort());
    expect(result.frames).toHaveLength(reference.json.results.A.frames.length);
    expect(result.errors).toEqual([]);
  });

  it("shows the exporter's 400 on the query it names", async () => {
    const result: PageResult = await page.evaluate(
      ([r]) =>
        (window as any).page.runQuery(
          [
            { refId: 'A', queryType: 'endpoints' },
            { refId: 'B', queryType: 'drops', view: 'topNodes', limit: 5000 },
          ],
          r
        ),
      [range] as const
    );
    const sent = (await lastRequest()) as { data: QueryRequest };
    const reference = await direct<{ error: string; field: string }>('/api/v1/query', sent.data);
    expect(reference.status).toBe(400);
    expect(reference.json.field).toBe('queries[1].limit');
    expect(result.errors).toEqual([{ refId: 'B', message: reference.json.error, status: 400 }]);
  });
});

describe('variables and annotations through the data proxy', () => {
  beforeAll(async () => {
    await useDatasource('good', { url: exporter.url });
  });

  it('lists the nodes and the drop reasons the cluster reports', async () => {
    const nodes = await page.evaluate(() => (window as any).page.variableValues('nodes()'));
    expect(nodes).toEqual([...sim.nodes].sort());

    const seen = await page.evaluate(() => (window as any).page.variableValues('drop_reasons(seen)'));
    const reference = await direct<DropReasonsResponse>('/api/v1/drop-reasons');
    expect(seen).toEqual(reference.json.reasons.filter((r) => r.seen).map((r) => r.reason));
    const all = await page.evaluate(() => (window as any).page.variableValues('drop_reasons()'));
    expect(all).toHaveLength(reference.json.reasons.length);
  });

  it('marks the agent restart as an annotation event', async () => {
    const { events, errors } = await page.evaluate(
      ([r]) => (window as any).page.annotationEvents({ annotationKind: 'agentRestarts' }, r),
      [range] as const
    );
    expect(errors).toEqual([]);
    const reference = await direct<AnnotationsResponse>('/api/v1/annotations', {
      from: range.from,
      to: range.to,
      kind: 'agentRestarts',
    });
    expect(reference.json.annotations.length).toBeGreaterThan(0);
    expect(events.map((e: { time: number; title: string }) => [e.time, e.title])).toEqual(
      reference.json.annotations.map((a) => [a.time, a.title])
    );
    expect(events.some((e: { title: string }) => e.title.includes(sim.nodes[0]))).toBe(true);
  });
});
