/**
 * Loads the built dist/module.js in Chromium the way Grafana's loader does: an AMD define whose dependencies
 * resolve to Grafana's shared modules (here the real npm packages), nothing else.
 */
import { assertBuiltPlugin } from '../../tools/browser-host/builtPlugin';
import { LOADED_PLUGIN, openPluginHost, type PluginHost } from './support';

jest.setTimeout(120_000);

describe('dist/module.js in a browser, loaded like Grafana loads plugins', () => {
  let host: PluginHost;

  beforeAll(async () => {
    assertBuiltPlugin();
    host = await openPluginHost();
  });

  afterAll(async () => {
    await host?.close();
  });

  it('exports a DataSourcePlugin with the datasource class and both editors', async () => {
    const described = await host.page.evaluate(() => (window as any).page.loadPlugin());
    expect(described).toEqual({ ...LOADED_PLUGIN, defaultQuery: { queryType: 'endpoints', groupBy: 'cluster' } });
    expect(host.pageErrors).toEqual([]);
  });

  it("runs a query through the host's BackendSrv and returns data frames", async () => {
    const frame = {
      schema: {
        fields: [
          { name: 'time', type: 'time' },
          { name: 'ready', type: 'number', labels: { state: 'ready' } },
        ],
      },
      data: {
        values: [
          [1_700_000_000_000, 1_700_000_030_000],
          [12, 13],
        ],
      },
    };
    await host.page.evaluate(
      (body) => {
        (window as any).page.setFixture('POST', '/api/v1/query', 200, body);
      },
      { results: { A: { frames: [frame] }, B: { frames: [], error: 'unknown node "nope"', status: 400 } } }
    );

    const result = await host.page.evaluate(() =>
      (window as any).page.runQuery([
        { refId: 'A', queryType: 'endpoints', node: '$node' },
        { refId: 'B', queryType: 'drops', node: 'nope' },
      ])
    );
    expect(result.frames).toEqual([
      {
        refId: 'A',
        length: 2,
        fields: [
          { name: 'time', type: 'time', values: [1_700_000_000_000, 1_700_000_030_000] },
          { name: 'ready', type: 'number', values: [12, 13] },
        ],
      },
    ]);
    expect(result.errors).toEqual([{ refId: 'B', message: 'unknown node "nope"', status: 400 }]);

    const requests = await host.page.evaluate(() => (window as any).page.requests);
    expect(requests[requests.length - 1]).toEqual({
      method: 'POST',
      url: '/api/datasources/proxy/uid/cilium-scope/api/api/v1/query',
      data: {
        from: 1_700_000_000_000,
        to: 1_700_003_600_000,
        intervalMs: 30000,
        maxDataPoints: 100,
        queries: [
          { refId: 'A', queryType: 'endpoints', node: ['worker-1', 'worker-2'] },
          { refId: 'B', queryType: 'drops', node: 'nope' },
        ],
      },
    });
  });

  it('is refused by the loader when it needs a module Grafana does not provide', async () => {
    const error = await host.page.evaluate(async () => {
      const blob = new Blob(['define(["left-pad"], function (leftPad) { return { plugin: leftPad }; });'], {
        type: 'text/javascript',
      });
      try {
        await (window as any).page.loadModuleForTest(URL.createObjectURL(blob));
        return 'loaded';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(error).toBe('module.js depends on "left-pad", which Grafana does not provide to plugins');
  });
});
