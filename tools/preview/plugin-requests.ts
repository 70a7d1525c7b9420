/**
 * The request the Cilium Scope datasource sends for each panel of a dashboard, built without a browser: the panel's
 * targets go through the plugin's own template interpolation (`applyTemplateVariables`, `toScopeQuery` in
 * src/interpolate.ts) over a TemplateSrv holding the dashboard's variables, and the body is assembled as
 * `DataSource.query()` assembles it (one `POST /api/v1/query` per panel with every visible target). The panel's
 * max data points is its width in pixels, as Grafana's query runner sets it; the interval is the range over that
 * width (Grafana rounds it to a "nice" value, which the exporter raises to its scrape interval in any case).
 *
 * No runtime dependency on Grafana's packages: the scale test runs it under Node against a real exporter.
 */
import type { QueryRequest, ScopeQuery } from '../../src/contract';
import { applyTemplateVariables, toScopeQuery } from '../../src/interpolate';
import type { ScopeDataQuery } from '../../src/types';
import { gridBox, visualPanels, type DashboardJson, type PanelJson } from './dashboard';
import { PreviewTemplateSrv, type ResolvedVariable } from './page/templateSrv';

const PLUGIN_ID = 'ciliumscope-cilium-datasource';

export interface PanelRequest {
  panel: PanelJson;
  body: QueryRequest & { queries: ScopeQuery[] };
}

/**
 * The dashboard's variables with their options and current values: `optionsOf` answers a query variable's
 * options (the datasource's variable support); a variable without a stored current value takes its first option,
 * as Grafana does on load; a custom variable offers its comma-separated values.
 */
export async function resolveVariables(
  dashboard: DashboardJson,
  datasourceUid: string,
  optionsOf: (query: unknown) => Promise<string[]>
): Promise<ResolvedVariable[]> {
  const out: ResolvedVariable[] = [];
  for (const v of dashboard.templating.list) {
    const stored = v.current?.value;
    const current = Array.isArray(stored)
      ? stored.map(String)
      : stored === undefined || stored === ''
        ? []
        : [String(stored)];
    let options: string[];
    if (v.type === 'datasource') {
      options = [datasourceUid];
      current.splice(0, current.length, datasourceUid);
    } else if (v.type === 'query') {
      options = await optionsOf(v.query);
    } else if (v.type === 'custom') {
      options = String(v.query ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean);
    } else {
      options = current;
    }
    out.push({
      name: v.name,
      label: v.label ?? v.name,
      type: v.type,
      options,
      current: current.length ? current : options.slice(0, 1),
      multi: Boolean(v.multi),
      includeAll: Boolean(v.includeAll),
      allValue: v.allValue || undefined,
      hide: v.hide ?? 0,
    });
  }
  return out;
}

/** One request per panel that queries the plugin datasource, in grid order. */
export function pluginPanelRequests(
  dashboard: DashboardJson,
  variables: ResolvedVariable[],
  range: { from: number; to: number },
  gridWidth: number
): PanelRequest[] {
  const templateSrv = new PreviewTemplateSrv(variables);
  const requests: PanelRequest[] = [];
  for (const panel of visualPanels(dashboard)) {
    const targets = (panel.targets ?? []).filter(
      (t) => !t.hide && (t.datasource ?? panel.datasource)?.type === PLUGIN_ID
    ) as unknown as ScopeDataQuery[];
    if (targets.length === 0) {
      continue;
    }
    const maxDataPoints = panel.maxDataPoints ?? Math.max(1, gridBox(panel.gridPos, gridWidth).width);
    requests.push({
      panel,
      body: {
        from: range.from,
        to: range.to,
        intervalMs: Math.max(1, Math.ceil((range.to - range.from) / maxDataPoints)),
        maxDataPoints,
        queries: targets.map((t) => toScopeQuery(applyTemplateVariables(t, {}, templateSrv), 'endpoints')),
      },
    });
  }
  return requests;
}
