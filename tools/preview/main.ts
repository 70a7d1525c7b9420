/**
 * `npm run preview`: renders every panel of the shipped dashboards from real data, the way Grafana would, into
 * docs/dashboards/ (one PNG per dashboard, one per row), and checks every panel on the way. Exit code 1 when a
 * panel fails (query error, no data, render error) or the page reported an error.
 *
 *   npm run preview -- [--grafana LINE] [--out DIR] [--prometheus-seconds N] [--panels] [--nodes N]
 *
 * --grafana             the Grafana release whose @grafana/* modules render the panels: a line or version of the
 *                       matrix in tools/browser-host/grafanaReleases.ts (10.4, 11.6, 12.4, 13.1; default 13.1,
 *                       the project's own), installed into the cache folder on first use
 * --out                 where the images go (default docs/dashboards; for another release than the default,
 *                       docs/compat/<version>/dashboards with the whole dashboards only)
 * --prometheus-seconds  steps of Prometheus history, 1 s each (3 s from 100 nodes on) (default 75; 0 skips the
 *                       Prometheus dashboard)
 * --panels              also one image per panel (for a close look; not for the docs)
 * --nodes               simulated nodes (default 6); from 100 on, small agent pages and the exporter's default
 *                       30 s scrape interval, images named <dashboard>-<N>-nodes
 *
 * Needs the built plugin (npm run build), Debian's chromium and prometheus.
 */
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { REPO_ROOT } from '../browser-host/build';
import { installGrafanaRelease } from '../browser-host/grafanaInstall';
import { BUILD_RELEASE, releaseByLine } from '../browser-host/grafanaReleases';
import { formatFindings, panelFailures, panelWarnings, reportLines } from './check';
import { GRID_WIDTH, importDashboard, withVariable, type DashboardJson } from './dashboard';
import { formatPayloads, measurePluginDashboard } from './payload';
import { imageName, readDashboard, type RenderedDashboard } from './render';
import {
  NODE_DASHBOARD,
  openPreviewSession,
  PLUGIN_DASHBOARD,
  PROMETHEUS_DASHBOARD,
  type PreviewSession,
} from './session';

function report(title: string, rendered: RenderedDashboard): boolean {
  const failures = panelFailures(rendered.result.panels);
  const lines = [
    '',
    `${title}: ${rendered.result.panels.length} panels, rendered in ${(rendered.renderMs / 1000).toFixed(1)} s`,
    ...reportLines(rendered.result),
    formatFindings('failures', failures),
    formatFindings('warnings', panelWarnings(rendered.result.panels)),
    rendered.pageErrors.length ? `page errors:\n  ${rendered.pageErrors.join('\n  ')}` : 'page errors: none',
    ...rendered.files.map((f) => `  wrote ${relative(REPO_ROOT, f)}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return failures.length === 0 && rendered.pageErrors.length === 0;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      grafana: { type: 'string', default: BUILD_RELEASE.line },
      out: { type: 'string' },
      'prometheus-seconds': { type: 'string', default: '75' },
      panels: { type: 'boolean', default: false },
      nodes: { type: 'string', default: '6' },
    },
  });
  const nodes = Number(values.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 5000) {
    throw new Error(`--nodes: "${values.nodes}" must be a whole number from 1 to 5000`);
  }
  const seconds = Number(values['prometheus-seconds']);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600 || (seconds > 0 && seconds < 30)) {
    throw new Error(
      `--prometheus-seconds: "${values['prometheus-seconds']}" must be 0 or a whole number from 30 to 3600`
    );
  }
  const release = releaseByLine(values.grafana!);
  const out = resolve(
    values.out ??
      (release === BUILD_RELEASE
        ? join(REPO_ROOT, 'docs', 'dashboards')
        : join(REPO_ROOT, 'docs', 'compat', release.version, 'dashboards'))
  );
  const started = Date.now();
  const grafana = await installGrafanaRelease(release, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`Grafana ${release.version} modules (${grafana.source}: ${grafana.nodeModules})\n`);
  const session = await openPreviewSession({
    grafana,
    prometheusSeconds: seconds,
    nodes,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  // A large cluster's images go beside the 6-node ones the README shows first.
  const name = (path: string) => imageName(path) + (nodes === 6 ? '' : `-${nodes}-nodes`);
  let ok = true;
  try {
    // The drill-down opens on the node the run did most to, as a link from the main dashboard would.
    const focus = session.facts.scopeEvents.importFailures.node;
    for (const path of [PLUGIN_DASHBOARD, NODE_DASHBOARD]) {
      const stored = readDashboard(path) as DashboardJson;
      const json = path === NODE_DASHBOARD ? withVariable(stored, 'node', focus) : stored;
      const rendered = await session.renderPlugin(json, {
        dir: out,
        name: name(path),
        panels: values.panels,
        rows: release === BUILD_RELEASE,
      });
      ok = report(`${path} (Cilium Scope datasource, built plugin)`, rendered) && ok;
      const measured = await payloads(session, json);
      process.stdout.write(`${formatPayloads(`\n${path} refreshed once (${nodes} nodes)`, measured)}\n`);
    }
    if (session.prometheus) {
      process.stdout.write('\nWaiting for the Prometheus history to complete...\n');
      const prometheus = await session.renderPrometheus(readDashboard(PROMETHEUS_DASHBOARD), {
        dir: out,
        name: name(PROMETHEUS_DASHBOARD),
        panels: values.panels,
        rows: release === BUILD_RELEASE,
      });
      ok = report(`${PROMETHEUS_DASHBOARD} (Prometheus ${session.facts.prometheusUrl})`, prometheus) && ok;
    }
  } finally {
    await session.close();
  }
  const timings = Object.entries(session.timings)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
    .join(', ');
  process.stdout.write(`\n${ok ? 'OK' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s (${timings})\n`);
  return ok ? 0 : 1;
}

/** What one refresh of a plugin dashboard asks of the exporter, panel by panel (as the scale test measures it). */
function payloads(session: PreviewSession, json: DashboardJson) {
  const dashboard = importDashboard(json, { DS_CILIUMSCOPE: 'ciliumscope' });
  const exporter = { url: session.scope.exporter.url, token: session.scope.token };
  return measurePluginDashboard(dashboard, exporter, session.scope.range, GRID_WIDTH);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`preview: ${error.message}\n`);
    process.exitCode = 1;
  }
);
