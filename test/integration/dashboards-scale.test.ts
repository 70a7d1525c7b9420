/**
 * The dashboards stay light on a large cluster: a simulated 1,000-node cluster (small agent pages, 30 s scrapes, the
 * exporter's default, Hubble metrics on every node) with a quarter hour of history, and every panel of the Cilium Scope dashboard and the node
 * drill-down refreshed once with every variable as shipped ("All" for nodes, directions and reasons), each panel's
 * request built as the datasource builds it. Then a real Prometheus scrapes the same exporter for a few seconds and
 * every panel of the Prometheus dashboard runs its PromQL against it. Each answer must stay within 25 series and
 * 512 KiB, a whole refresh of a dashboard within 2 MiB.
 */
import { PATHS } from '../../tools/dashboards/generate';
import { GRID_WIDTH, importDashboard, withVariable } from '../../tools/preview/dashboard';
import {
  formatPayloads,
  measurePluginDashboard,
  measurePrometheusDashboard,
  type PanelPayload,
} from '../../tools/preview/payload';
import { readDashboard } from '../../tools/preview/render';
import { runScopeHistory, type ScopeHistory } from '../../tools/preview/scope-history';
import { largeClusterSettings } from '../../tools/preview/session';
import { startPrometheus } from '../support/prometheus';
import { describeWith } from '../support/tools';

const NODES = 1000;
const MAX_SERIES = 25;
const MAX_PANEL_BYTES = 512 * 1024;
const MAX_REFRESH_BYTES = 2 * 1024 * 1024;

// About a minute of CPU: generous timeouts so that a machine busy with other work does not fail it.
jest.setTimeout(300_000);

let history: ScopeHistory;
const started = Date.now();
const cpu = process.cpuUsage();
const cpuSeconds = () => {
  const used = process.cpuUsage(cpu);
  return ((used.user + used.system) / 1e6).toFixed(1);
};

beforeAll(async () => {
  // Ten pods a node instead of thirty: the Kubernetes join costs less, and no answer depends on it.
  // Hubble metrics (pod context) on every node for the "Who is being dropped" row; Relay's flows are the exporter's
  // memory, not its history, and would only add their cost to the run.
  history = await runScopeHistory({
    ...largeClusterSettings(NODES),
    podsPerNode: 10,
    historySeconds: 900,
    hubble: 'metrics',
  });
  console.log(
    `${NODES} nodes, ${(history.range.to - history.range.from) / 60_000} minutes of history in ${history.runMs} ms (${cpuSeconds()} CPU s)`
  );
}, 900_000);

afterAll(async () => {
  await history?.close();
  console.log(`scale test: ${Date.now() - started} ms, ${cpuSeconds()} CPU s`);
});

/** `everyPanelHasData`: off where the cluster stands still (rates of 0 leave `> 0` filters empty, rightly). */
function expectLight(get: () => PanelPayload[], everyPanelHasData = true) {
  it('answers every panel without an error', () => {
    const payloads = get();
    expect(payloads.length).toBeGreaterThan(5);
    expect(payloads.filter((p) => p.errors.length > 0).map((p) => `${p.title}: ${p.errors.join('; ')}`)).toEqual([]);
    if (everyPanelHasData) {
      expect(payloads.filter((p) => p.series === 0).map((p) => p.title)).toEqual([]);
    }
  });

  it(`keeps each panel within ${MAX_SERIES} series and 512 KiB`, () => {
    const over = get().filter((p) => p.series > MAX_SERIES || p.bytes > MAX_PANEL_BYTES);
    expect(over.map((p) => `${p.title}: ${p.series} series, ${p.bytes} bytes`)).toEqual([]);
  });

  it('keeps a whole refresh within 2 MiB', () => {
    expect(get().reduce((sum, p) => sum + p.bytes, 0)).toBeLessThanOrEqual(MAX_REFRESH_BYTES);
  });
}

describe.each([
  ['Cilium Scope', PATHS.pluginImport],
  ['Cilium Scope: node', PATHS.nodeImport],
])('%s at 1,000 nodes', (title, path) => {
  let payloads: PanelPayload[];

  beforeAll(async () => {
    // The drill-down opens on a node the run made eventful, as a link from the main dashboard would.
    const imported = importDashboard(readDashboard(path), { DS_CILIUMSCOPE: 'ciliumscope' });
    const dashboard =
      path === PATHS.nodeImport ? withVariable(imported, 'node', history.events.importFailures.node) : imported;
    payloads = await measurePluginDashboard(
      dashboard,
      { url: history.exporter.url, token: history.token },
      history.range,
      GRID_WIDTH
    );
    console.log(formatPayloads(title, payloads));
  });

  expectLight(() => payloads);
});

describeWith([{ binary: 'prometheus' }], 'Cilium Scope (Prometheus) at 1,000 nodes', () => {
  let payloads: PanelPayload[];

  beforeAll(async () => {
    // The simulated clock stands still at the end of the history: Prometheus samples its final state a few times,
    // enough for every expression to have points (rates of a still cluster are 0, which ranks nodes all the same).
    // Every 3 s: the exporter writes some 80,000 series per scrape.
    const prometheus = await startPrometheus({ targets: [new URL(history.exporter.url).host], scrapeInterval: '3s' });
    try {
      const from = Date.now();
      for (let waited = 0; waited < 120_000; waited += 1000) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        // Prometheus busy ingesting a scrape may miss the query's deadline: ask again at the next second.
        const up = Date.now() - from >= 15_000 ? await prometheus.query('ciliumscope_target_up').catch(() => []) : [];
        if (up.length > NODES) {
          break;
        }
      }
      const dashboard = importDashboard(readDashboard(PATHS.prometheusImport), { DS_PROMETHEUS: 'prometheus' });
      const range = { from, to: Date.now() };
      payloads = await measurePrometheusDashboard(dashboard, prometheus.url, range, 3000, GRID_WIDTH);
      console.log(formatPayloads('Cilium Scope (Prometheus)', payloads));
    } finally {
      await prometheus.stop();
    }
  }, 600_000);

  expectLight(() => payloads, false);
});
