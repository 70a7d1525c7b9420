/**
 * The requests a dashboard load sends, read from the shipped dashboards rather than listed by hand, with every
 * variable at All:
 * - plugin panels: dashboards/cilium-scope.json, one POST /api/v1/query body per panel as the datasource builds it
 *   (the plugin's own interpolation, src/interpolate.ts: All sends no filter), with Grafana's max data points (the
 *   panel's width in pixels unless the panel sets it) and interval (range / max data points, rounded as Grafana
 *   rounds it); and the enabled annotation queries, one POST /api/v1/annotations each;
 * - PromQL panels: dashboards/cilium-scope-prometheus.json, the same panels as Prometheus queries, each target one
 *   /api/v1/query_range (or /api/v1/query for instant tables) request as Grafana's Prometheus datasource sends it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnnotationsRequest, QueryRequest, ScopeQuery } from '../../src/contract';
import { applyTemplateVariables, toScopeQuery } from '../../src/interpolate';
import type { ScopeDataQuery } from '../../src/types';
import { type DashboardJson, type PanelJson, visualPanels } from '../../tools/preview/dashboard';
import { PreviewTemplateSrv, type ResolvedVariable } from '../../tools/preview/page/templateSrv';

const ROOT = join(__dirname, '..', '..');
const PLUGIN_ID = 'ciliumscope-cilium-datasource';
/** The dashboard's width in pixels: the preview's (tools/preview/render.ts), a 1080p screen with Grafana's menu. */
export const DASHBOARD_WIDTH_PX = 1568;

type Json = Record<string, any>;

function dashboard(file: string): DashboardJson {
  return JSON.parse(readFileSync(join(ROOT, 'dashboards', file), 'utf8')) as DashboardJson;
}

/**
 * Grafana's interval for a range drawn on `maxDataPoints` points: range / points rounded to a round duration
 * (`rangeUtil.roundInterval` of @grafana/data, whose thresholds these are).
 */
export function grafanaIntervalMs(rangeMs: number, maxDataPoints: number): number {
  const raw = rangeMs / maxDataPoints;
  const s = 1000;
  const steps: Array<[below: number, interval: number]> = [
    [10, 1],
    [15, 10],
    [35, 20],
    [75, 50],
    [150, 100],
    [350, 200],
    [750, 500],
    [1500, 1000],
    [3500, 2 * s],
    [7500, 5 * s],
    [12_500, 10 * s],
    [17_500, 15 * s],
    [25_000, 20 * s],
    [45_000, 30 * s],
    [90_000, 60 * s],
    [210_000, 120 * s],
    [450_000, 300 * s],
    [750_000, 600 * s],
    [1_050_000, 900 * s],
    [1_500_000, 1200 * s],
    [2_700_000, 1800 * s],
    [5_400_000, 3600 * s],
    [9_000_000, 7200 * s],
    [16_200_000, 10_800 * s],
    [32_400_000, 21_600 * s],
    [86_400_000, 43_200 * s],
    [604_800_000, 86_400 * s],
    [1_814_400_000, 604_800 * s],
    [3_628_800_000, 2_592_000 * s],
  ];
  return steps.find(([below]) => raw < below)?.[1] ?? 31_536_000 * s;
}

export interface PluginPanel {
  id: number;
  title: string;
  /** Whether a query of the panel has one series per node (groupBy node), which All makes one per node of the cluster. */
  perNode: boolean;
  body: QueryRequest & { intervalMs: number; maxDataPoints: number; queries: ScopeQuery[] };
}

export interface AnnotationQuery {
  name: string;
  body: AnnotationsRequest;
}

/** The dashboard's variables: All, or `nodes` for the node variable when given (a user narrowing it). */
function variables(d: DashboardJson, nodes?: string[]): ResolvedVariable[] {
  return d.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => ({
      name: v.name,
      label: v.label ?? v.name,
      type: v.type,
      options: v.name === 'node' && nodes ? nodes : [],
      current: v.name === 'node' && nodes ? nodes : ['$__all'],
      multi: Boolean(v.multi),
      includeAll: Boolean(v.includeAll),
      hide: v.hide ?? 0,
    }));
}

const usesPlugin = (panel: PanelJson, t: { datasource?: { type?: string } }) =>
  (t.datasource ?? panel.datasource)?.type === PLUGIN_ID;

/**
 * The plugin dashboard's panel requests over [from, to] (unix ms), in grid order, as Grafana and the datasource send
 * them with every variable at All (or the node variable at `nodes`).
 */
export function pluginPanels(range: { from: number; to: number }, o: { nodes?: string[] } = {}): PluginPanel[] {
  const d = dashboard('cilium-scope.json');
  const templateSrv = new PreviewTemplateSrv(variables(d, o.nodes));
  const out: PluginPanel[] = [];
  for (const panel of visualPanels(d)) {
    const targets = (panel.targets ?? []).filter((t) => !t.hide && usesPlugin(panel, t)) as unknown as ScopeDataQuery[];
    if (targets.length === 0) {
      continue;
    }
    const maxDataPoints = panel.maxDataPoints ?? Math.round((panel.gridPos.w / 24) * DASHBOARD_WIDTH_PX);
    const queries = targets.map((t) => toScopeQuery(applyTemplateVariables(t, {}, templateSrv), 'endpoints'));
    out.push({
      id: panel.id,
      title: panel.title,
      perNode: queries.some((q) => q.groupBy === 'node'),
      body: { ...range, intervalMs: grafanaIntervalMs(range.to - range.from, maxDataPoints), maxDataPoints, queries },
    });
  }
  return out;
}

/** The enabled annotation queries of the plugin dashboard, as the datasource sends them. */
export function pluginAnnotations(
  range: { from: number; to: number },
  o: { nodes?: string[] } = {}
): AnnotationQuery[] {
  const d = dashboard('cilium-scope.json') as DashboardJson & { annotations?: { list: Json[] } };
  const templateSrv = new PreviewTemplateSrv(variables(d, o.nodes));
  return (d.annotations?.list ?? [])
    .filter((a) => a.enable && a.datasource?.type === PLUGIN_ID && a.target?.annotationKind)
    .map((a) => {
      const target = a.target as unknown as ScopeDataQuery & { annotationKind: AnnotationsRequest['kind'] };
      const t = applyTemplateVariables(target, {}, templateSrv);
      const body: AnnotationsRequest = { ...range, kind: target.annotationKind };
      if (t.node !== undefined) {
        body.node = t.node;
      }
      return { name: a.name as string, body };
    });
}

export interface PromqlPanel {
  id: number;
  title: string;
  queries: Array<{ expr: string; instant: boolean }>;
}

/** The PromQL panels, with Grafana's variables expanded for a range, its step and the scrape interval. */
export function promqlPanels(rangeSeconds: number, stepSeconds: number, scrapeSeconds: number): PromqlPanel[] {
  // $__rate_interval: max(interval + scrape interval, 4 × scrape interval).
  const rateInterval = Math.max(stepSeconds + scrapeSeconds, 4 * scrapeSeconds);
  const expand = (expr: string) =>
    expr
      .replace(/\$__rate_interval/g, `${rateInterval}s`)
      .replace(/\$__range/g, `${rangeSeconds}s`)
      .replace(/\$__interval/g, `${stepSeconds}s`)
      .replace(/\$\{?(node|direction|reason)\}?/g, '.*');
  return visualPanels(dashboard('cilium-scope-prometheus.json'))
    .filter((p) => (p.targets ?? []).length > 0)
    .map((p) => ({
      id: p.id,
      title: p.title,
      queries: (p.targets as Json[])
        .filter((t) => typeof t.expr === 'string' && t.hide !== true)
        .map((t) => ({ expr: expand(t.expr), instant: t.instant === true && t.range !== true })),
    }));
}
