/**
 * The dashboard preview as a test: both shipped dashboards rendered in Chromium from real data (the built plugin
 * against the exporter on a simulated half hour; PromQL against a real Prometheus scraping the exporter for 40 s),
 * every panel checked for data, query errors and render errors, and a deliberately broken copy of each dashboard
 * shown to fail with exactly the broken panels' titles; both dashboards again on Grafana 10.4's modules. Images go to
 * a temporary directory.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { formatFindings, panelFailures } from '../../tools/preview/check';
import { visualPanels, withVariable, type DashboardJson } from '../../tools/preview/dashboard';
import { readDashboard, type RenderedDashboard } from '../../tools/preview/render';
import type { OpenPreviewSession, PreviewSessionApi } from '../../tools/preview/session-types';
import { assertBuiltPlugin } from '../../tools/browser-host/builtPlugin';
import { installGrafanaRelease, type InstalledRelease } from '../../tools/browser-host/grafanaInstall';
import { OLDEST_RELEASE } from '../../tools/browser-host/grafanaReleases';

/**
 * The session starts the exporter, the simulator and Prometheus. It is loaded at run time, by a path the compiler
 * does not follow, so that this directory's type check (the plugin's settings) does not take in their sources.
 */
const SESSION_MODULE = '../../tools/preview/session';
const { openPreviewSession } = require(SESSION_MODULE) as { openPreviewSession: OpenPreviewSession };

const PLUGIN_DASHBOARD = 'dashboards/cilium-scope.json';
const PROMETHEUS_DASHBOARD = 'dashboards/cilium-scope-prometheus.json';
const NODE_DASHBOARD = 'dashboards/cilium-scope-node.json';

/** Panels that draw the cluster and the top $topn nodes (the rest as "other nodes"), in both main dashboards. */
const TOP_N_PANELS = [
  'Endpoints not ready: cluster and top nodes',
  'Endpoint regeneration failures',
  'Policy import errors',
];

/**
 * A copy of a main dashboard with only its top-N panels and $topn at 2: on six nodes, each draws its cluster series,
 * two nodes and "other nodes".
 */
function topTwoOnly(json: unknown): DashboardJson {
  const copy = withVariable(JSON.parse(JSON.stringify(json)) as DashboardJson, 'topn', '2');
  copy.panels = copy.panels.filter((p) => p.type === 'row' || TOP_N_PANELS.includes(p.title));
  return copy;
}

/** The series a rendered panel draws, by display name. */
function drawn(rendered: RenderedDashboard, title: string): string[] {
  const panel = rendered.result.panels.find((p) => p.title === title)!;
  return panel.frames.flatMap((f) =>
    f.fields.filter((x) => x.type === 'number' && !x.hiddenFromViz).map((x) => x.displayName)
  );
}

function expectTopTwo(rendered: RenderedDashboard, nodes: string[]) {
  expect(formatFindings('failures', panelFailures(rendered.result.panels))).toBe('failures: none');
  for (const title of TOP_N_PANELS) {
    const names = drawn(rendered, title);
    const perNode = names.filter((n) => nodes.some((node) => n.startsWith(`${node} `)));
    expect([title, new Set(perNode.map((n) => n.split(' ')[0])).size]).toEqual([title, 2]);
    expect([title, names.some((n) => n.startsWith('other nodes'))]).toEqual([title, true]);
  }
}

jest.setTimeout(240_000);

const PROMETHEUS_SECONDS = 40;

let session: PreviewSessionApi;
let out: string;
const started = Date.now();
const timings: Record<string, number> = {};

beforeAll(async () => {
  assertBuiltPlugin();
  out = mkdtempSync(join(tmpdir(), 'ciliumscope-preview-test-'));
  session = await openPreviewSession({
    prometheusSeconds: PROMETHEUS_SECONDS,
    scope: { historySeconds: 1800 },
  });
  timings.sessionReadyMs = Date.now() - started;
}, 180_000);

afterAll(async () => {
  await session?.close();
  if (out) {
    rmSync(out, { recursive: true, force: true });
  }
  timings.totalMs = Date.now() - started;
  console.log(`preview test timings (ms): ${JSON.stringify({ ...timings, ...session?.timings })}`);
});

/** A copy of a dashboard JSON with one panel changed. */
function breakPanel(json: unknown, title: string, change: (target: Record<string, unknown>) => void): unknown {
  const copy = JSON.parse(JSON.stringify(json)) as DashboardJson;
  const panel = visualPanels(copy).find((p) => p.title === title);
  if (!panel?.targets?.length) {
    throw new Error(`no panel "${title}" with targets to break`);
  }
  change(panel.targets[0]);
  return copy;
}

function expectEveryPanelShown(rendered: RenderedDashboard, dashboard: DashboardJson) {
  const panels = rendered.result.panels;
  expect(panels.map((p) => p.title)).toEqual(visualPanels(dashboard).map((p) => p.title));
  expect(formatFindings('failures', panelFailures(panels))).toBe('failures: none');
  expect(rendered.pageErrors).toEqual([]);
  // Every panel drew from data the datasource returned, not from a default.
  for (const panel of panels) {
    expect([panel.title, panel.rawFrameCount > 0, panel.hasData]).toEqual([panel.title, true, true]);
  }
  // One image for the dashboard and one per row, each a real PNG of some size.
  expect(rendered.files).toHaveLength(1 + rendered.result.rows.length);
  for (const file of rendered.files) {
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).size).toBeGreaterThan(20_000);
  }
}

describe('the plugin dashboard (built plugin, data proxy, exporter on the simulator)', () => {
  const json = readDashboard(PLUGIN_DASHBOARD);
  let rendered: RenderedDashboard;

  beforeAll(async () => {
    const t = Date.now();
    rendered = await session.renderPlugin(json, { dir: out, name: 'cilium-scope' });
    timings.pluginRenderMs = Date.now() - t;
  });

  it('shows data in every panel, without query, render or page errors', () => {
    expectEveryPanelShown(rendered, json as DashboardJson);
    expect(rendered.result.rows.map((r) => r.slug)).toEqual([
      'overview',
      'endpoints',
      'packet-flow',
      'who-is-being-dropped',
      'policy',
      'agents',
    ]);
  });

  it('shows who is being dropped: the top pairs, and the table with the policies Hubble Relay named', () => {
    const panel = (title: string) => rendered.result.panels.find((p) => p.title === title)!;
    expect(panel('Who is being dropped: top workload pairs').frames.length).toBeGreaterThanOrEqual(5);
    const table = panel('Who is being dropped: pairs by node');
    expect(table.frames[0].length).toBeGreaterThanOrEqual(5);
    const byName = Object.fromEntries(rendered.result.variables.map((v) => [v.name, v]));
    expect(byName.namespace.options.length).toBeGreaterThan(0);
    expect(byName.workload.options.length).toBeGreaterThan(0);
  });

  it('keeps the top $topn nodes in its per-node panels and sums the others', async () => {
    expectTopTwo(await session.renderPlugin(topTwoOnly(json)), session.facts.scopeNodes);
  });

  it('resolves the template variables through the plugin, from the exporter', () => {
    const byName = Object.fromEntries(rendered.result.variables.map((v) => [v.name, v]));
    expect(byName.node.options).toEqual([...session.facts.scopeNodes].sort());
    expect(byName.direction.options).toEqual(['EGRESS', 'INGRESS']);
    expect(byName.reason.options).toContain(session.facts.scopeEvents.spike.reason);
    expect(byName.node.current).toEqual(['$__all']);
  });

  it('shows the run: the spiked series outside its band, the import errors and the unmanaged pods', () => {
    const panel = (title: string) => rendered.result.panels.find((p) => p.title === title)!;
    expect(panel('Drop series outside their band').frames[0].length).toBeGreaterThanOrEqual(1);
    expect(panel('Unmanaged pods').frames[0].length).toBeGreaterThanOrEqual(
      session.facts.scopeEvents.unmanagedPods.length
    );
    const annotations = Object.fromEntries(rendered.result.annotations.map((a) => [a.name, a]));
    expect(annotations['Policy import errors'].events).toBe(session.facts.scopeEvents.importFailures.atMs.length);
    expect(annotations['Drop anomalies'].events).toBeGreaterThanOrEqual(1);
  });

  it('fails a panel whose query type is wrong, naming that panel only', async () => {
    const broken = breakPanel(json, 'Drop anomaly bands', (t) => (t.queryType = 'dropAnomaliez'));
    const result = await session.renderPlugin(broken);
    const failures = panelFailures(result.result.panels);
    expect(failures.map((f) => f.title)).toEqual(['Drop anomaly bands']);
    expect(failures[0].problems.join(' ')).toMatch(/query error: A: .*queryType/);
    expect(result.pageErrors).toEqual([]);
  });
});

describe('the node dashboard (built plugin, the node the run made eventful)', () => {
  let json: DashboardJson;
  let rendered: RenderedDashboard;

  beforeAll(async () => {
    json = withVariable(
      readDashboard(NODE_DASHBOARD) as DashboardJson,
      'node',
      session.facts.scopeEvents.importFailures.node
    );
    const t = Date.now();
    rendered = await session.renderPlugin(json, { dir: out, name: 'cilium-scope-node' });
    timings.nodeRenderMs = Date.now() - t;
  });

  it('shows data in every panel, for that node only', () => {
    expectEveryPanelShown(rendered, json);
    expect(rendered.result.rows.map((r) => r.slug)).toEqual([
      'node',
      'endpoints-and-pods',
      'traffic-and-drops',
      'policy-and-agent',
    ]);
    const byName = Object.fromEntries(rendered.result.variables.map((v) => [v.name, v]));
    expect(byName.node.current).toEqual([session.facts.scopeEvents.importFailures.node]);
    const unmanaged = rendered.result.panels.find((p) => p.title === 'Unmanaged pods')!;
    expect(unmanaged.frames[0].length).toBeGreaterThanOrEqual(1);
    expect(unmanaged.executed.join(' ')).toContain(`"node":"${session.facts.scopeEvents.importFailures.node}"`);
  });
});

describe('the Prometheus dashboard (real Prometheus scraping the exporter)', () => {
  const json = readDashboard(PROMETHEUS_DASHBOARD);
  let rendered: RenderedDashboard;

  beforeAll(async () => {
    const t = Date.now();
    rendered = await session.renderPrometheus(json, { dir: out, name: 'cilium-scope-prometheus' });
    timings.prometheusRenderMs = Date.now() - t;
  });

  it('shows data in every panel, without query, render or page errors', () => {
    expectEveryPanelShown(rendered, json as DashboardJson);
  });

  it('resolves the template variables through label_values() and substitutes them like Grafana', () => {
    const byName = Object.fromEntries(rendered.result.variables.map((v) => [v.name, v]));
    expect(byName.node.options.length).toBeGreaterThanOrEqual(session.facts.prometheusNodes!.length - 1);
    const executed = rendered.result.panels.flatMap((p) => p.executed);
    // "All" is the variable's custom all value; Grafana's built-ins are replaced by durations.
    expect(executed.some((e) => e.includes('node=~".*"'))).toBe(true);
    expect(executed.filter((e) => /\$\w/.test(e))).toEqual([]);
    expect(executed.some((e) => /\[\d+s\]/.test(e))).toBe(true);
  });

  it('keeps the top $topn nodes in its per-node panels (topk over the range) and sums the others', async () => {
    expectTopTwo(await session.renderPrometheus(topTwoOnly(json)), session.facts.prometheusNodes!);
  });

  it('fails a panel whose PromQL is broken, naming that panel only', async () => {
    const broken = breakPanel(json, 'Policies per node', (t) => (t.expr = 'sum by (node) (ciliumscope_policies{'));
    const result = await session.renderPrometheus(broken);
    const failures = panelFailures(result.result.panels);
    expect(failures.map((f) => f.title)).toEqual(['Policies per node']);
    expect(failures[0].problems.join(' ')).toMatch(/query error: A: bad_data: .*parse error/);
    expect(result.pageErrors).toEqual([]);
  });
});

describe(`both dashboards on Grafana ${OLDEST_RELEASE.version}'s modules (the oldest release supported)`, () => {
  let grafana: InstalledRelease;

  beforeAll(async () => {
    grafana = await installGrafanaRelease(OLDEST_RELEASE);
  }, 15 * 60_000);

  it('the plugin dashboard shows data in every panel, without query, render or page errors', async () => {
    const json = readDashboard(PLUGIN_DASHBOARD);
    const t = Date.now();
    const rendered = await session.renderPlugin(
      json,
      { dir: join(out, OLDEST_RELEASE.version), name: 'cilium-scope' },
      grafana
    );
    timings.pluginRenderOldestMs = Date.now() - t;
    expectEveryPanelShown(rendered, json as DashboardJson);
  });

  it('the Prometheus dashboard shows data in every panel, without query, render or page errors', async () => {
    const json = readDashboard(PROMETHEUS_DASHBOARD);
    const rendered = await session.renderPrometheus(
      json,
      { dir: join(out, OLDEST_RELEASE.version), name: 'cilium-scope-prometheus' },
      grafana
    );
    expectEveryPanelShown(rendered, json as DashboardJson);
  });
});
