/**
 * The exporter against real agent pages served over HTTP: every normalised series on /metrics equals the raw
 * page's value, found by a plain line scan of the page (not by the exporter's parser).
 */
import { startExporter } from '../../exporter/app';
import { testConfig } from '../support/config';
import { type TestServer, startServer } from '../support/http';
import { rawSamples, readExposition, seriesId } from '../support/exposition';
import { readPage } from '../support/fixtures';

const first = (page: string, ...names: string[]) => {
  for (const n of names) {
    const s = rawSamples(page, n);
    if (s.length) {
      return s;
    }
  }
  return [];
};

for (const file of ['agent-1.9.10.prom', 'agent-1.11.0.prom']) {
  describe(`/metrics on ${file}`, () => {
    let server: TestServer;
    let metrics: Map<string, number>;
    let page: string;

    beforeAll(async () => {
      page = readPage(file).toString('utf8');
      server = await startServer((_req, res) => {
        res.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
        res.end(page);
      });
      const exporter = await startExporter(testConfig({ agents: [{ node: 'n1', url: `${server.url}/metrics` }] }), {
        autoScrape: false,
      });
      await exporter.scrapeNow();
      metrics = readExposition(await (await fetch(`${exporter.url}/metrics`)).text());
      await exporter.close();
    });
    afterAll(() => server.close());

    const expectSeries = (name: string, labels: Record<string, string>, value: number) => {
      expect([seriesId(name, labels), metrics.get(seriesId(name, labels))]).toEqual([seriesId(name, labels), value]);
    };

    test('target is up', () => expectSeries('ciliumscope_target_up', { node: 'n1', component: 'agent' }, 1));

    test('endpoints by state and in total', () => {
      const states = rawSamples(page, 'cilium_endpoint_state');
      expect(states.length).toBeGreaterThan(0);
      for (const s of states) {
        expectSeries('ciliumscope_endpoints', { node: 'n1', state: s.labels.endpoint_state }, s.value);
      }
      const [total] = first(page, 'cilium_endpoint', 'cilium_endpoint_count');
      expectSeries('ciliumscope_endpoints_total', { node: 'n1' }, total.value);
      expectSeries('ciliumscope_pod_endpoints', { node: 'n1' }, Math.max(0, total.value - 2));
    });

    test('regenerations by outcome', () => {
      const regen = first(page, 'cilium_endpoint_regenerations_total', 'cilium_endpoint_regenerations');
      expect(regen.length).toBeGreaterThan(0);
      for (const s of regen) {
        expectSeries('ciliumscope_endpoint_regenerations_total', { node: 'n1', outcome: s.labels.outcome }, s.value);
      }
    });

    test('forwarded and dropped packets and bytes', () => {
      for (const [raw, ours] of [
        ['cilium_forward_count_total', 'ciliumscope_forwarded_packets_total'],
        ['cilium_forward_bytes_total', 'ciliumscope_forwarded_bytes_total'],
      ]) {
        for (const s of rawSamples(page, raw)) {
          expectSeries(ours, { node: 'n1', direction: s.labels.direction }, s.value);
        }
      }
      for (const [raw, ours] of [
        ['cilium_drop_count_total', 'ciliumscope_dropped_packets_total'],
        ['cilium_drop_bytes_total', 'ciliumscope_dropped_bytes_total'],
      ]) {
        const raws = rawSamples(page, raw);
        for (const s of raws) {
          expectSeries(ours, { node: 'n1', direction: s.labels.direction, reason: s.labels.reason }, s.value);
        }
        expect([...metrics.keys()].filter((k) => k.startsWith(ours + '{'))).toHaveLength(raws.length);
      }
    });

    test('policies and import errors', () => {
      expectSeries(
        'ciliumscope_policies',
        { node: 'n1' },
        first(page, 'cilium_policy', 'cilium_policy_count')[0].value
      );
      expectSeries(
        'ciliumscope_policy_import_errors_total',
        { node: 'n1' },
        first(page, 'cilium_policy_import_errors_total', 'cilium_policy_import_errors')[0].value
      );
      expectSeries(
        'ciliumscope_policy_max_revision',
        { node: 'n1' },
        rawSamples(page, 'cilium_policy_max_revision')[0].value
      );
    });

    test('version', () => {
      const version = rawSamples(page, 'cilium_version')[0].labels.version;
      expectSeries('ciliumscope_agent_info', { node: 'n1', version }, 1);
    });
  });
}
