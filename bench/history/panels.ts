/**
 * The requests a load of the shipped dashboards sends, read from the dashboards rather than listed by hand and built
 * as the datasources build them (tools/preview/panel-requests.ts), at the preview's grid width:
 * - dashboards/cilium-scope.json: one POST /api/v1/query body per plugin panel and one POST /api/v1/annotations per
 *   enabled annotation, every variable as shipped (All; top N 10) unless `variables` sets some (a user narrowing
 *   the node variable, or picking another top N);
 * - dashboards/cilium-scope-prometheus.json: each target's /api/v1/query_range (or /api/v1/query) request.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATHS } from '../../tools/dashboards/generate';
import { type DashboardJson, GRID_WIDTH, importDashboard, withVariable } from '../../tools/preview/dashboard';
import {
  type AnnotationRequest,
  type PanelRequest,
  type PromPanelRequest,
  pluginAnnotationRequests,
  pluginPanelRequests,
  prometheusPanelRequests,
  resolveVariables,
} from '../../tools/preview/panel-requests';

const ROOT = join(__dirname, '..', '..');

function shipped(path: string, inputs: Record<string, string>): DashboardJson {
  return importDashboard(JSON.parse(readFileSync(join(ROOT, path), 'utf8')), inputs);
}

export interface PluginRequests {
  panels: PanelRequest[];
  annotations: AnnotationRequest[];
}

/** The plugin dashboard's panel and annotation requests over [from, to] (unix ms), in grid order. */
export async function pluginRequests(
  range: { from: number; to: number },
  variables: Record<string, string | string[]> = {}
): Promise<PluginRequests> {
  let dashboard = shipped(PATHS.pluginImport, { DS_CILIUMSCOPE: 'ciliumscope' });
  for (const [name, value] of Object.entries(variables)) {
    dashboard = withVariable(dashboard, name, value);
  }
  // Query variables need no options: All sends no filter, and a narrowed variable sends its selection.
  const resolved = await resolveVariables(dashboard, 'ciliumscope', async () => []);
  return {
    panels: pluginPanelRequests(dashboard, resolved, range, GRID_WIDTH),
    annotations: pluginAnnotationRequests(dashboard, resolved, range),
  };
}

/** The Prometheus dashboard's requests over [from, to] (unix ms) for a Prometheus scraping every `scrapeIntervalMs`. */
export function promqlRequests(range: { from: number; to: number }, scrapeIntervalMs: number): PromPanelRequest[] {
  const dashboard = shipped(PATHS.prometheusImport, { DS_PROMETHEUS: 'prometheus' });
  return prometheusPanelRequests(dashboard, range, scrapeIntervalMs, GRID_WIDTH);
}
