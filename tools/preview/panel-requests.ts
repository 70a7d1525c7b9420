/**
 * The requests one refresh of a dashboard sends, built without a browser or Grafana, for the preview (payload.ts),
 * the scale test, the history benchmark and the 30-day test alike:
 *
 * - plugin panels: the panel's visible targets go through the plugin's own template interpolation
 *   (`applyTemplateVariables`, `toScopeQuery` in src/interpolate.ts: All sends no filter) over a TemplateSrv holding
 *   the dashboard's variables, assembled as `DataSource.query()` assembles them: one `POST /api/v1/query` per panel
 *   with every visible target. The panel's max data points is its width in pixels, as Grafana's query runner sets
 *   it; the interval is the range over that width rounded as Grafana rounds it (interval.ts);
 * - the plugin dashboard's enabled annotation queries, one `POST /api/v1/annotations` each;
 * - Prometheus panels: each visible target as Grafana's Prometheus datasource sends it (promql.ts), the interval at
 *   least the datasource's scrape interval.
 *
 * No runtime dependency on Grafana's packages: it runs under Node against real servers.
 */
import type { AnnotationsRequest, QueryRequest, ScopeQuery } from '../../src/contract';
import { applyTemplateVariables, toScopeQuery } from '../../src/interpolate';
import type { ScopeDataQuery } from '../../src/types';
import { gridBox, visualPanels, type DashboardJson, type PanelJson } from './dashboard';
import { grafanaIntervalMs } from './interval';
import { PreviewTemplateSrv, type ResolvedVariable } from './page/templateSrv';
import { prometheusRequest, type PromTarget, type PromVariable } from './promql';

const PLUGIN_ID = 'ciliumscope-cilium-datasource';

export interface PanelRequest {
  panel: PanelJson;
  body: QueryRequest & { intervalMs: number; maxDataPoints: number; queries: ScopeQuery[] };
}

export interface AnnotationRequest {
  name: string;
  body: AnnotationsRequest;
}

export interface PromPanelRequest {
  panel: PanelJson;
  /** One HTTP request per visible target: `/api/v1/query_range`, or `/api/v1/query` for an instant target. */
  targets: Array<{ target: PromTarget; path: string; params: URLSearchParams }>;
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

const usesPlugin = (panel: PanelJson, t: { datasource?: { type?: string } }) =>
  (t.datasource ?? panel.datasource)?.type === PLUGIN_ID;

/** The panel's max data points (its width in pixels unless it sets one) and Grafana's interval for the range. */
function resolution(panel: PanelJson, rangeMs: number, gridWidth: number) {
  const maxDataPoints = panel.maxDataPoints ?? Math.max(1, gridBox(panel.gridPos, gridWidth).width);
  return { maxDataPoints, intervalMs: grafanaIntervalMs(rangeMs, maxDataPoints) };
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
    const targets = (panel.targets ?? []).filter((t) => !t.hide && usesPlugin(panel, t)) as unknown as ScopeDataQuery[];
    if (targets.length === 0) {
      continue;
    }
    requests.push({
      panel,
      body: {
        from: range.from,
        to: range.to,
        ...resolution(panel, range.to - range.from, gridWidth),
        queries: targets.map((t) => toScopeQuery(applyTemplateVariables(t, {}, templateSrv), 'endpoints')),
      },
    });
  }
  return requests;
}

/** The enabled annotation queries of a plugin dashboard, as the datasource sends them. */
export function pluginAnnotationRequests(
  dashboard: DashboardJson,
  variables: ResolvedVariable[],
  range: { from: number; to: number }
): AnnotationRequest[] {
  const templateSrv = new PreviewTemplateSrv(variables);
  return (dashboard.annotations?.list ?? [])
    .filter((a) => a.enable && a.datasource?.type === PLUGIN_ID && a.target?.annotationKind)
    .map((a) => {
      const target = a.target as unknown as ScopeDataQuery & { annotationKind: AnnotationsRequest['kind'] };
      const t = applyTemplateVariables(target, {}, templateSrv);
      const body: AnnotationsRequest = { ...range, kind: target.annotationKind };
      if (t.node !== undefined) {
        body.node = t.node;
      }
      return { name: a.name, body };
    });
}

/** The Prometheus dashboard's variables as stored ("All" as the custom all value), as the PromQL interpolation takes them. */
export function prometheusVariables(dashboard: DashboardJson): Record<string, PromVariable> {
  const variables: Record<string, PromVariable> = {};
  for (const v of dashboard.templating.list) {
    const stored = v.current?.value;
    const values = (Array.isArray(stored) ? stored : [stored]).filter((x) => x !== undefined).map(String);
    variables[v.name] = {
      values,
      allSelected: values.includes('$__all'),
      options: [],
      allValue: v.allValue,
      multi: Boolean(v.multi),
      includeAll: Boolean(v.includeAll),
    };
  }
  return variables;
}

/** Every panel of a Prometheus dashboard with a visible target, in grid order, its targets' requests over `range`. */
export function prometheusPanelRequests(
  dashboard: DashboardJson,
  range: { from: number; to: number },
  scrapeIntervalMs: number,
  gridWidth: number
): PromPanelRequest[] {
  const variables = prometheusVariables(dashboard);
  return visualPanels(dashboard)
    .map((panel) => {
      const { intervalMs } = resolution(panel, range.to - range.from, gridWidth);
      const ctx = { variables, intervalMs: Math.max(scrapeIntervalMs, intervalMs), scrapeIntervalMs, range };
      const targets = ((panel.targets ?? []) as unknown as PromTarget[])
        .filter((t) => !t.hide && typeof t.expr === 'string')
        .map((target) => ({ target, ...prometheusRequest(target, ctx) }));
      return { panel, targets };
    })
    .filter((p) => p.targets.length > 0);
}
