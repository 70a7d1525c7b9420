/**
 * The built plugin's editors in headless Chromium with @grafana/ui and Grafana's dark theme: switch query types,
 * check what each shows, and save screenshots to docs/screenshots/.
 */
import { mkdirSync } from 'fs';
import { join } from 'path';

import { REPO_ROOT } from '../../tools/browser-host/build';
import { assertBuiltPlugin } from '../../tools/browser-host/builtPlugin';
import { openPluginHost, type PluginHost } from './support';

jest.setTimeout(180_000);

const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');

const NODES = ['worker-1', 'worker-2', 'worker-3'].map((name, i) => ({
  name,
  up: i !== 2,
  stale: false,
  ciliumVersion: '1.16.4',
  lastScrape: null,
  lastSuccess: null,
  scrapeDurationMs: 40,
  error: null,
  podEndpoints: 20,
  endpoints: 22,
  pods: 20,
  unmanagedPods: 0,
  source: 'kubernetes',
}));

const DROP_REASONS = [
  {
    reason: 'Policy denied',
    code: 133,
    hubbleName: 'POLICY_DENIED',
    meaning: 'A network policy denied the packet',
    commonCauses: '',
    seen: true,
  },
  {
    reason: 'Stale or unroutable IP',
    code: 132,
    hubbleName: 'STALE_OR_UNROUTABLE_IP',
    meaning: 'No route for the destination',
    commonCauses: '',
    seen: true,
  },
  {
    reason: 'CT: Map insertion failed',
    code: 155,
    hubbleName: 'CT_MAP_INSERTION_FAILED',
    meaning: 'Connection tracking table full',
    commonCauses: '',
    seen: false,
  },
];

/** What each query type shows besides the node filter: [label in the picker, filters, option rows]. */
const TYPES: Array<[string, string, string[], string[]]> = [
  ['endpoints', 'Endpoint states', ['State'], ['View', 'Series']],
  ['podEndpointDelta', 'Pod / endpoint delta', [], ['View', 'Series']],
  ['unmanagedPods', 'Unmanaged pods', ['Namespace'], ['View']],
  ['regeneration', 'Endpoint regeneration', [], ['View', 'Series', 'Quantiles']],
  ['packetFlow', 'Packet flow', ['Direction'], ['Series', 'Unit']],
  ['drops', 'Drops by reason', ['Direction', 'Reason'], ['View', 'Series', 'Unit']],
  ['policy', 'Policy', [], ['View', 'Series']],
  ['agentHealth', 'Agent health', [], ['View', 'Limit']],
  ['anomaly', 'Drop anomalies', ['Direction', 'Reason'], ['View', 'Limit']],
  ['workloadDrops', 'Drops by workload', ['Namespace', 'Workload', 'Direction', 'Reason'], ['View', 'Top N', 'Others']],
];
const ALL_LABELS = [
  'State',
  'Namespace',
  'Workload',
  'Direction',
  'Reason',
  'View',
  'Series',
  'Unit',
  'Quantiles',
  'Limit',
];

describe('editors of the built plugin in Chromium', () => {
  let host: PluginHost;
  const page = () => host.page;

  beforeAll(async () => {
    assertBuiltPlugin();
    mkdirSync(SCREENSHOTS, { recursive: true });
    host = await openPluginHost();
    await page().evaluate(
      ({ nodes, reasons }) => {
        const p = (window as any).page;
        p.setFixture('GET', '/api/v1/nodes', 200, { nodes });
        p.setFixture('GET', '/api/v1/drop-reasons', 200, { reasons });
        p.setFixture('GET', '/api/v1/namespaces', 200, { namespaces: ['default', 'kube-system', 'monitoring'] });
        p.setFixture('GET', '/api/v1/workloads', 200, {
          workloads: [
            { namespace: 'default', workload: 'web' },
            { namespace: '', workload: 'reserved:world' },
          ],
        });
        return p.loadPlugin();
      },
      { nodes: NODES, reasons: DROP_REASONS }
    );
  });

  afterAll(async () => {
    await host?.close();
  });

  afterEach(() => {
    const errors = host.pageErrors.splice(0);
    expect(errors).toEqual([]);
  });

  const frame = () => page().locator('[data-testid="frame"]');
  const lastQuery = () => page().evaluate(() => (window as any).page.state.lastQuery);

  async function pickQueryType(label: string) {
    await page().locator('#ciliumscope-query-type').click();
    await page()
      .getByRole('option', { name: new RegExp(`^${label.replace(/[/]/g, '\\/')}`) })
      .click();
  }

  /** Field labels as a user reads them: <label>s, and the labels radio groups name themselves by. */
  async function visibleLabels(): Promise<string[]> {
    return frame().evaluate((root) => {
      const texts = [...root.querySelectorAll('label')].map((l) => (l as HTMLElement).innerText);
      for (const group of root.querySelectorAll('[role="radiogroup"][aria-labelledby]')) {
        const label = document.getElementById(group.getAttribute('aria-labelledby') ?? '');
        texts.push(label?.innerText ?? '');
      }
      return texts.map((t) => t.trim()).filter(Boolean);
    });
  }

  it('shows the config editor with connection, authentication and timeout', async () => {
    await page().evaluate(() =>
      (window as any).page.showConfigEditor({
        jsonData: { url: 'http://ciliumscope-exporter.kube-system:9967', timeoutSeconds: 30, timeout: 30 },
        secureJsonFields: { token: true },
      })
    );
    await page().getByText('Authentication').waitFor();
    expect(await page().locator('#ciliumscope-url').inputValue()).toBe('http://ciliumscope-exporter.kube-system:9967');
    expect(await page().locator('#ciliumscope-token').inputValue()).toBe('configured');
    expect(await page().getByRole('button', { name: 'Reset' }).isVisible()).toBe(true);
    await frame().screenshot({ path: join(SCREENSHOTS, 'config-editor.png') });

    // A new datasource: default URL, proxy access; a typed URL without a scheme is flagged.
    await page().evaluate(() => (window as any).page.showConfigEditor({ access: 'direct' }));
    await page().locator('#ciliumscope-url').waitFor();
    expect(await page().locator('#ciliumscope-url').inputValue()).toBe('http://localhost:9967');
    const options = await page().evaluate(() => (window as any).page.state.lastOptions);
    expect(options.access).toBe('proxy');
    await page().locator('#ciliumscope-url').fill('exporter:9967');
    await page().locator('#ciliumscope-url').blur();
    await page()
      .getByText(/Not a URL|Use http/)
      .waitFor();
    await frame().screenshot({ path: join(SCREENSHOTS, 'config-editor-invalid-url.png') });
  });

  it('opens on endpoint states and lists every query type in the picker', async () => {
    await page().evaluate(() =>
      (window as any).page.showQueryEditor({ refId: 'A', queryType: 'endpoints', groupBy: 'cluster' })
    );
    await page().locator('#ciliumscope-query-type').waitFor();
    expect(await page().locator('#ciliumscope-query-type').inputValue()).toBe('Endpoint states');

    await page().locator('#ciliumscope-query-type').click();
    const options = page().getByRole('option');
    await options.first().waitFor();
    const names = await options.allInnerTexts();
    expect(names.map((n) => n.split('\n')[0])).toEqual(TYPES.map(([, label]) => label));
    await page().screenshot({
      path: join(SCREENSHOTS, 'query-editor-type-picker.png'),
      clip: { x: 0, y: 0, width: 1000, height: 560 },
    });
    await page().keyboard.press('Escape');
  });

  it.each(TYPES)('switches to %s and shows its filters and options', async (type, label, filters, options) => {
    await page().evaluate(() =>
      (window as any).page.showQueryEditor({ refId: 'A', queryType: 'endpoints', node: ['worker-1'] })
    );
    await page().locator('#ciliumscope-query-type').waitFor();
    if (type !== 'endpoints') {
      await pickQueryType(label);
    }
    await page().waitForFunction(
      (expected) => (window as any).page.state.lastQuery?.queryType === expected || expected === 'endpoints',
      type
    );
    // The query changed; the editor shows the new type once React has rendered it.
    await page().waitForFunction(
      (shown) => (document.querySelector('#ciliumscope-query-type') as HTMLInputElement | null)?.value === shown,
      label
    );

    const labels = await visibleLabels();
    expect(labels).toEqual(expect.arrayContaining(['Query type', 'Node', ...filters, ...options]));
    for (const absent of ALL_LABELS.filter((l) => !filters.includes(l) && !options.includes(l))) {
      expect(labels).not.toContain(absent);
    }
    if (type !== 'endpoints') {
      // The node filter is kept; filters the new type does not read are dropped.
      expect(await lastQuery()).toEqual({ refId: 'A', queryType: type, node: ['worker-1'] });
    }
    await page().mouse.click(1050, 750); // blur, so the screenshot shows the editor at rest
    await frame().screenshot({ path: join(SCREENSHOTS, `query-editor-${type}.png`) });
  });

  it("sets filters from the exporter's lists and the dashboard's variables", async () => {
    await page().evaluate(() =>
      (window as any).page.showQueryEditor({ refId: 'A', queryType: 'drops', view: 'topNodes' })
    );
    await page().getByTestId('filter-reason').click();
    await page()
      .getByRole('option', { name: /^Policy denied/ })
      .click();
    await page().keyboard.press('Escape');
    await page().getByTestId('filter-node').click();
    await page()
      .getByRole('option', { name: /^\$node/ })
      .click();
    await page().keyboard.press('Escape');
    await page().getByRole('radio', { name: 'Bytes/s' }).click();
    expect(await lastQuery()).toEqual({
      refId: 'A',
      queryType: 'drops',
      view: 'topNodes',
      reason: ['Policy denied'],
      node: ['$node'],
      unit: 'bytes',
    });
    expect(await page().getByTestId('query-limit').inputValue()).toBe('10');
    await page().mouse.click(1050, 750);
    await frame().screenshot({ path: join(SCREENSHOTS, 'query-editor-drops-filtered.png') });
  });

  it('starts one series per node at the top 10 nodes with the others', async () => {
    await page().evaluate(() =>
      (window as any).page.showQueryEditor({ refId: 'A', queryType: 'policy', view: 'importErrors' })
    );
    await page().getByRole('radio', { name: 'Per node' }).click();
    expect(await lastQuery()).toEqual({
      refId: 'A',
      queryType: 'policy',
      view: 'importErrors',
      groupBy: 'node',
      topN: 10,
      others: true,
    });
    expect(await page().getByTestId('query-top-n').inputValue()).toBe('10');
    expect(await visibleLabels()).toEqual(expect.arrayContaining(['Top N', 'Others']));
    await page().mouse.click(1050, 750);
    await frame().screenshot({ path: join(SCREENSHOTS, 'query-editor-top-n.png') });
  });

  it('shows the annotation and variable editors', async () => {
    await page().evaluate(() =>
      (window as any).page.showAnnotationEditor({ refId: 'Anno', annotationKind: 'policyImportErrors' })
    );
    await page()
      .getByText(/failed to import a network policy/)
      .waitFor();
    await frame().screenshot({ path: join(SCREENSHOTS, 'annotation-editor.png') });

    await page().evaluate(() => (window as any).page.showVariableEditor({ refId: 'V', query: 'drop_reasons(seen)' }));
    await page().getByText('Query: drop_reasons(seen)', { exact: false }).waitFor();
    expect(await lastQuery()).toEqual({ refId: 'V', kind: 'dropReasons', seenOnly: true, query: 'drop_reasons(seen)' });
    await frame().screenshot({ path: join(SCREENSHOTS, 'variable-editor.png') });
  });
});
