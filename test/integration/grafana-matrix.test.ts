/**
 * The built plugin on every Grafana line of the matrix (tools/browser-host/grafanaReleases.ts): for each release, a
 * host page built from that release's @grafana/data, ui and runtime and its React (installed once into a cache
 * folder) loads dist/module.js through the AMD loader, runs testDatasource() and query() through the data proxy
 * against a real exporter scraping the simulator, and renders every editor with no page error. Screenshots of each
 * editor per release go to docs/compat/<version>/. src/ also type-checks against each older release's declarations.
 */
import { mkdirSync } from 'fs';
import { join } from 'path';

import { VERSION } from '../../exporter/version';
import type { QueryRequest, QueryResponse } from '../../src/contract';
import { QUERY_TYPE_INFO, QUERY_TYPE_ORDER } from '../../src/queryCatalog';
import { REPO_ROOT } from '../../tools/browser-host/build';
import { assertBuiltPlugin, pluginRoutes } from '../../tools/browser-host/builtPlugin';
import { dataProxyHandler } from '../../tools/browser-host/dataProxy';
import { installGrafanaRelease, type InstalledRelease } from '../../tools/browser-host/grafanaInstall';
import { BUILD_RELEASE, GRAFANA_RELEASES } from '../../tools/browser-host/grafanaReleases';
import { typecheckPluginAgainst } from '../../tools/browser-host/releaseTypes';
import { LOADED_PLUGIN, openPluginHost, type PluginHost } from '../browser/support';
import { renderConfigEditor } from '../support/pluginEditors';
import { type ScrapedCluster, startScrapedCluster } from '../support/scrapedCluster';

// A release installs in about a minute on a clean machine; the cells themselves take seconds.
jest.setTimeout(15 * 60_000);

const TOKEN = 'grafana-matrix-token';
const UID = 'cilium-scope';
const COMPAT_DOCS = join(REPO_ROOT, 'docs', 'compat');

let cluster: ScrapedCluster;

beforeAll(async () => {
  assertBuiltPlugin();
  cluster = await startScrapedCluster({ nodes: 3, seed: 33, ticks: 8, restartTick: 4, token: TOKEN });
});

afterAll(async () => {
  await cluster?.close();
});

/** What the page's editors show: labels, radio group names, and the text of inputs and selected values. */
function shownText(host: PluginHost): Promise<{ labels: string[]; text: string }> {
  return host.page.locator('[data-testid="frame"]').evaluate((root) => {
    const labels = [...root.querySelectorAll('label')].map((l) => (l as HTMLElement).innerText.trim());
    for (const group of root.querySelectorAll('[role="radiogroup"][aria-labelledby]')) {
      labels.push(document.getElementById(group.getAttribute('aria-labelledby') ?? '')?.innerText.trim() ?? '');
    }
    const inputs = [...root.querySelectorAll('input')].map((i) => i.value);
    return { labels: labels.filter(Boolean), text: [(root as HTMLElement).innerText, ...inputs].join('\n') };
  });
}

describe.each(GRAFANA_RELEASES.map((r) => [`${r.line} (${r.version})`, r] as const))('Grafana %s', (_name, release) => {
  let grafana: InstalledRelease;
  let host: PluginHost;
  /** What loading dist/module.js gave, as the host sees it. */
  let described: unknown;
  const shots = join(COMPAT_DOCS, release.version);
  const page = () => host.page;
  const call = <T>(fn: string, ...args: unknown[]): Promise<T> =>
    page().evaluate(([name, a]) => (window as any).page[name as string](...(a as unknown[])), [fn, args] as const);
  const frame = () => page().locator('[data-testid="frame"]');
  /** The input of the inline field with this label. */
  const fieldInput = (label: string) =>
    frame()
      .locator('label', { hasText: new RegExp(`^${label}$`) })
      .locator('xpath=..')
      .locator('input')
      .first();

  beforeAll(async () => {
    grafana = await installGrafanaRelease(release, (line) => process.stdout.write(`${line}\n`));
    mkdirSync(shots, { recursive: true });
    host = await openPluginHost({
      grafana,
      viewport: { width: 1100, height: 700 },
      handlers: [
        dataProxyHandler([
          {
            uid: UID,
            routes: pluginRoutes(),
            jsonData: { url: cluster.exporter.url },
            secureJsonData: { token: TOKEN },
          },
        ]),
      ],
    });
    await call('useHttpBackend');
    described = await call('loadPlugin', { uid: UID, jsonData: { url: cluster.exporter.url } });
  });

  afterAll(async () => {
    await host?.close();
  });

  afterEach(() => {
    expect(host.pageErrors.splice(0)).toEqual([]);
  });

  // The release the project builds against is type-checked by `npm run typecheck`.
  if (release !== BUILD_RELEASE) {
    it(`src/ type-checks against @grafana/* ${release.version}`, () => {
      expect(typecheckPluginAgainst(grafana.nodeModules)).toEqual([]);
    });
  }

  it(`AMD-loads dist/module.js with ${release.version}'s modules`, async () => {
    expect(await page().evaluate(() => (window as any).page.grafanaVersion)).toBe(release.version);
    expect(described).toMatchObject(LOADED_PLUGIN);
  });

  it('testDatasource() reaches the exporter through the data proxy', async () => {
    const result = await call<{ status: string; message: string }>('testDatasource');
    expect(result).toMatchObject({
      status: 'success',
      message: `Cilium Scope exporter ${VERSION}: 3 nodes seen (3 up).`,
    });
  });

  it("query() answers every query type with the exporter's frames", async () => {
    const targets = QUERY_TYPE_ORDER.map((queryType, i) => ({ refId: `Q${i}`, queryType }));
    const result = await call<{
      frames: Array<{ refId: string; fields: Array<{ name: string; values: unknown[] }> }>;
      errors: unknown[];
    }>('runQuery', targets, cluster.range);
    expect(result.errors).toEqual([]);
    const request: QueryRequest = { ...cluster.range, maxDataPoints: 100, queries: targets };
    const reference = (await (
      await fetch(`${cluster.exporter.url}/api/v1/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(request),
      })
    ).json()) as QueryResponse;
    for (const { refId, queryType } of targets) {
      const expected = reference.results[refId].frames.map((f) => ({
        names: f.schema.fields.map((field) => field.name),
        values: f.data.values,
      }));
      const got = result.frames
        .filter((f) => f.refId === refId)
        .map((f) => ({ names: f.fields.map((field) => field.name), values: f.fields.map((field) => field.values) }));
      expect([queryType, got]).toEqual([queryType, expected]);
    }
    expect(result.frames.length).toBeGreaterThan(QUERY_TYPE_ORDER.length / 2);
  });

  it('lists variable values through the data proxy', async () => {
    expect(await call('variableValues', 'nodes()')).toEqual([...cluster.sim.nodes].sort());
  });

  it('renders the ConfigEditor', async () => {
    await renderConfigEditor(host, {
      jsonData: { url: cluster.exporter.url, timeoutSeconds: 30 },
      secureJsonFields: { token: true },
    });
    expect(await page().locator('#ciliumscope-url').inputValue()).toBe(cluster.exporter.url);
    expect(await page().locator('#ciliumscope-token').inputValue()).toBe('configured');
    await frame().screenshot({ path: join(shots, 'config-editor.png') });
  });

  it.each(QUERY_TYPE_ORDER.map((t) => [t] as const))('renders the QueryEditor for %s', async (queryType) => {
    const info = QUERY_TYPE_INFO[queryType];
    await call('showQueryEditor', { refId: 'A', queryType });
    await page().getByText(info.help).waitFor();
    const shown = await shownText(host);
    expect(shown.labels).toEqual(expect.arrayContaining(['Query type', 'Node']));
    expect(shown.text).toContain(info.label);
  });

  it('changes the query type from the picker and shows the filters the exporter lists', async () => {
    await call('showQueryEditor', { refId: 'A', queryType: 'endpoints' });
    // Combobox (11.x and later) and Select (10.4) alike: open the list, click the option.
    await page().locator('#ciliumscope-query-type').click();
    await page().getByText(QUERY_TYPE_INFO.drops.label, { exact: true }).click();
    await page().waitForFunction(() => (window as any).page.state.lastQuery?.queryType === 'drops');
    await page().getByText(QUERY_TYPE_INFO.drops.help).waitFor();
    await fieldInput('Reason').click();
    const reasons = await call<string[]>('variableValues', 'drop_reasons(seen)');
    await page().getByText(reasons[0], { exact: true }).first().waitFor();
    // The open list is drawn outside the editor's frame, like Grafana's menus.
    await page().screenshot({
      path: join(shots, 'query-editor-drops.png'),
      clip: { x: 0, y: 0, width: 1100, height: 420 },
    });
    await page().keyboard.press('Escape');
  });

  it('renders the VariableQueryEditor', async () => {
    await call('showVariableEditor', { refId: 'V', query: 'drop_reasons(seen)' });
    await page().getByText('Query: drop_reasons(seen)', { exact: false }).waitFor();
    expect(await page().evaluate(() => (window as any).page.state.lastQuery)).toEqual({
      refId: 'V',
      kind: 'dropReasons',
      seenOnly: true,
      query: 'drop_reasons(seen)',
    });
    await frame().screenshot({ path: join(shots, 'variable-editor.png') });
  });

  it('renders the AnnotationQueryEditor', async () => {
    await call('showAnnotationEditor', { refId: 'Anno', annotationKind: 'policyImportErrors' });
    await page()
      .getByText(/failed to import a network policy/)
      .waitFor();
    expect((await shownText(host)).labels).toEqual(expect.arrayContaining(['Events', 'Node']));
    await frame().screenshot({ path: join(shots, 'annotation-editor.png') });
  });
});
