/**
 * The preview page: a shipped dashboard rendered in the browser the way Grafana renders it, driven from Node
 * through `window.preview.show(...)`. The built plugin (dist/module.js) is loaded through the host's AMD loader
 * and queried through its own `query()`, with a BackendSrv that makes real HTTP requests to this page's server,
 * whose data proxy applies the plugin.json route (and forwards Prometheus API calls for the Prometheus dashboard).
 * Template variables are resolved through the datasource (the plugin's variable support, or Prometheus's label
 * API) and served to the plugin by a TemplateSrv. The answer summarises every panel's data for the checks.
 */
import {
  DataSourceApi,
  FieldType,
  type DataFrame,
  type DataQuery,
  type DataQueryResponse,
  type DataSourcePlugin,
  type Field,
  getFieldDisplayName,
  fieldMatchers,
} from '@grafana/data';
import {
  setBackendSrv,
  setTemplateSrv,
  type BackendSrv,
  type BackendSrvRequest,
  type FetchResponse,
} from '@grafana/runtime';
import React from 'react';
import { lastValueFrom, Observable } from 'rxjs';

import { fetchOverHttp } from '../../browser-host/backendFetch';
import { instanceSettings } from '../../browser-host/datasourceSettings';
import { darkTheme, loadAmdModule, mount } from '../../browser-host/runtime';
import {
  dashboardRows,
  gridBox,
  PAGE_PADDING,
  visualPanels,
  type AnnotationJson,
  type DashboardJson,
  type PanelJson,
} from '../dashboard';
import { DashboardView } from './dashboardView';
import { SUPPORTED_PANEL_TYPES, graphableFrames } from './panels';
import {
  runPluginAnnotation,
  runPluginPanel,
  runPrometheusAnnotation,
  runPrometheusPanel,
  timeRangeOf,
  type PanelQueryResult,
  type PreviewAnnotation,
} from './queries';
import type { PanelSummary, ShowOptions, ShowResult } from '../summary';
import { unknownOverrideProperties, unknownTransformations } from './registries';
import { PreviewTemplateSrv, type ResolvedVariable } from './templateSrv';

const PLUGIN_ID = 'ciliumscope-cilium-datasource';

const requests: Array<{ method: string; url: string; data?: unknown }> = [];

/** Grafana's BackendSrv as far as the plugin uses it: fetch() over HTTP to this page's data proxy. */
const backendSrv = {
  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    const method = options.method ?? 'GET';
    requests.push({ method, url: options.url, data: options.data });
    return fetchOverHttp<T>(options);
  },
} as unknown as BackendSrv;

const templateSrv = new PreviewTemplateSrv();
setBackendSrv(backendSrv);
setTemplateSrv(templateSrv);

type AnyPlugin = DataSourcePlugin<DataSourceApi<DataQuery>, DataQuery>;

async function loadPluginDatasource(uid: string, name: string, jsonData: Record<string, unknown>) {
  const exports = (await loadAmdModule(`/public/plugins/${PLUGIN_ID}/module.js`)) as { plugin?: AnyPlugin };
  if (!exports.plugin) {
    throw new Error('module.js exports no `plugin`');
  }
  return new exports.plugin.DataSourceClass(instanceSettings({ pluginId: PLUGIN_ID, uid, name }, jsonData));
}

function sortOptions(values: string[], sort: number | undefined): string[] {
  const unique = [...new Set(values)];
  if (sort === 1 || sort === 3 || sort === 5 || sort === 7) {
    return unique.sort((a, b) => a.localeCompare(b, undefined, { numeric: sort === 3 }));
  }
  if (sort === 2 || sort === 4 || sort === 6 || sort === 8) {
    return unique.sort((a, b) => b.localeCompare(a, undefined, { numeric: sort === 4 }));
  }
  return unique;
}

/** A query variable's options through the plugin's variable support (what Grafana 13 calls), else metricFindQuery. */
async function pluginVariableOptions(ds: DataSourceApi<DataQuery>, query: unknown): Promise<string[]> {
  const support = ds.variables as { query?: (request: unknown) => Observable<DataQueryResponse> } | undefined;
  if (support?.query) {
    const response = await lastValueFrom(support.query({ targets: [query], range: undefined, scopedVars: {} }));
    if (response.errors?.length) {
      throw new Error(response.errors.map((e) => e.message).join('; '));
    }
    const frame = (response.data as DataFrame[])[0];
    const field = frame?.fields.find((f) => f.name === 'value') ?? frame?.fields.find((f) => f.name === 'text');
    return (field?.values ?? []).map(String);
  }
  const values = await ds.metricFindQuery!(query as string);
  return values.map((v) => String(v.value ?? v.text));
}

/**
 * A variable's values through its regex, as Grafana applies it: the first capture group of each match (values that
 * do not match are left out), none: the values as they are.
 */
function applyVariableRegex(values: string[], regex: string | undefined): string[] {
  const source = /^\/(.*)\/([a-z]*)$/.exec(regex ?? '');
  if (!source) {
    return values;
  }
  const re = new RegExp(source[1], source[2]);
  return values.flatMap((v) => {
    const m = re.exec(v);
    return m ? [m[1] ?? m[0]] : [];
  });
}

/**
 * `query_result(expr)`: the instant query at the range's end, each series as Grafana's Prometheus datasource writes
 * it (`metric{label="value", ...} value timestamp`), for the variable's regex to pick from.
 */
async function prometheusQueryResult(proxyBase: string, expr: string, range: { from: number; to: number }) {
  const params = new URLSearchParams({ query: expr, time: String(range.to / 1000) });
  const response = await fetch(`${proxyBase}/api/v1/query?${params}`);
  const body = (await response.json()) as {
    status: string;
    data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    error?: string;
  };
  if (body.status !== 'success') {
    throw new Error(body.error ?? `HTTP ${response.status}`);
  }
  return (body.data?.result ?? []).map(({ metric, value }) => {
    const { __name__: name = '', ...labels } = metric;
    const text = Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(', ');
    return `${name}{${text}} ${value[1]} ${Math.round(value[0] * 1000)}`;
  });
}

/**
 * `label_values(metric, label)` / `label_values(label)` through Prometheus's label API, and `query_result(expr)`
 * through its query API, as Grafana does.
 */
async function prometheusVariableOptions(proxyBase: string, query: string, range: { from: number; to: number }) {
  const result = /^\s*query_result\((.*)\)\s*$/s.exec(query);
  if (result) {
    return prometheusQueryResult(proxyBase, result[1], range);
  }
  const match = /^\s*label_values\(\s*(?:(.+?)\s*,\s*)?(\w+)\s*\)\s*$/.exec(query);
  if (!match) {
    throw new Error(`the preview reads label_values() and query_result() variables only, not "${query}"`);
  }
  const [, selector, label] = match;
  const params = new URLSearchParams({ start: String(range.from / 1000), end: String(range.to / 1000) });
  if (selector) {
    params.append('match[]', selector);
  }
  const response = await fetch(`${proxyBase}/api/v1/label/${encodeURIComponent(label)}/values?${params}`);
  const body = (await response.json()) as { status: string; data?: string[]; error?: string };
  if (body.status !== 'success') {
    throw new Error(body.error ?? `HTTP ${response.status}`);
  }
  return body.data ?? [];
}

function currentValues(variable: { current?: { value?: unknown } }): string[] {
  const value = variable.current?.value;
  if (Array.isArray(value)) {
    return value.map(String);
  }
  return value === undefined || value === null ? [] : [String(value)];
}

function valueSummary(field: Field): { values: number; nonZero: number } {
  let values = 0;
  let nonZero = 0;
  for (const v of field.values) {
    // NaN and ±Inf (a quantile without observations, for one) draw nothing.
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) {
      continue;
    }
    values++;
    if (field.type !== FieldType.number || v !== 0) {
      nonZero++;
    }
  }
  return { values, nonZero };
}

function summariseFrames(frames: DataFrame[]): PanelSummary['frames'] {
  return frames.map((frame) => ({
    name: frame.name,
    length: frame.length,
    fields: frame.fields.map((field) => ({
      name: field.name,
      displayName: getFieldDisplayName(field, frame, frames),
      type: field.type,
      ...valueSummary(field),
      hiddenFromViz: Boolean((field.config.custom as { hideFrom?: { viz?: boolean } } | undefined)?.hideFrom?.viz),
    })),
  }));
}

/** Whether the panel's visualisation has anything to draw. */
function dataVerdict(panel: PanelJson, frames: DataFrame[], timeRange: ReturnType<typeof timeRangeOf>) {
  if (panel.type === 'timeseries') {
    const graphable = graphableFrames(frames, timeRange) ?? [];
    const drawn = graphable.flatMap((f) =>
      f.fields.filter(
        (field) =>
          field.type === FieldType.number &&
          !(field.config.custom as { hideFrom?: { viz?: boolean } } | undefined)?.hideFrom?.viz
      )
    );
    const summaries = drawn.map(valueSummary);
    const hasData = summaries.some((s) => s.values > 0);
    return { hasData, onlyZeros: hasData && summaries.every((s) => s.nonZero === 0) };
  }
  if (panel.type === 'table') {
    const index = Math.min(((panel.options ?? {}) as { frameIndex?: number }).frameIndex ?? 0, frames.length - 1);
    const main = frames[index];
    return { hasData: Boolean(main && main.fields.length > 0 && main.length > 0), onlyZeros: false };
  }
  const numbers = frames.flatMap((f) => f.fields.filter((field) => field.type === FieldType.number));
  return { hasData: numbers.some((field) => valueSummary(field).values > 0), onlyZeros: false };
}

/** byName / byRegexp override matchers that match no field of the data the panel draws. */
function unmatchedOverrides(panel: PanelJson, frames: DataFrame[]): string[] {
  const out: string[] = [];
  for (const rule of panel.fieldConfig?.overrides ?? []) {
    if (rule.matcher.id !== 'byName' && rule.matcher.id !== 'byRegexp') {
      continue;
    }
    const matcher = fieldMatchers.get(rule.matcher.id).get(rule.matcher.options);
    const matched = frames.some((frame) => frame.fields.some((field) => matcher(field, frame, frames)));
    if (!matched) {
      out.push(`${rule.matcher.id} ${JSON.stringify(rule.matcher.options)}`);
    }
  }
  return out;
}

function datasourceProblem(panel: PanelJson, options: ShowOptions): string | null {
  const refs = [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)].filter(Boolean);
  for (const ref of refs) {
    const uid = templateSrv.replace(ref!.uid ?? '');
    const expectedType = options.kind === 'plugin' ? PLUGIN_ID : 'prometheus';
    if (uid !== options.datasource.uid || (ref!.type && ref!.type !== expectedType)) {
      return `datasource ${JSON.stringify(ref)} resolves to uid "${uid}", not the dashboard's ${expectedType} "${options.datasource.uid}"`;
    }
  }
  return null;
}

const renderErrors = new Map<number, string>();

function nextFrames(n: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number) => (left <= 0 ? resolve() : requestAnimationFrame(() => step(left - 1)));
    step(n);
  });
}

async function show(options: ShowOptions): Promise<ShowResult> {
  const { dashboard } = options;
  const timeRange = timeRangeOf(options.range, options.rawRange);
  const proxyBase = `/api/datasources/proxy/uid/${options.datasource.uid}`;
  const ds =
    options.kind === 'plugin'
      ? await loadPluginDatasource(options.datasource.uid, options.datasource.name, options.datasource.jsonData ?? {})
      : null;

  // Template variables, in order (a later one may refer to an earlier one).
  const variables: ResolvedVariable[] = [];
  templateSrv.setVariables(variables);
  for (const v of dashboard.templating.list) {
    const base = {
      name: v.name,
      label: v.label ?? v.name,
      type: v.type,
      multi: Boolean(v.multi),
      includeAll: Boolean(v.includeAll),
      allValue: v.allValue || undefined,
      hide: v.hide ?? 0,
    };
    if (v.type === 'datasource') {
      variables.push({ ...base, options: [options.datasource.uid], current: [options.datasource.uid] });
    } else if (v.type === 'query') {
      const query = typeof v.query === 'string' ? templateSrv.replace(v.query) : v.query;
      const values = applyVariableRegex(
        ds
          ? await pluginVariableOptions(ds, query)
          : await prometheusVariableOptions(proxyBase, String(query), options.range),
        v.regex
      );
      const current = currentValues(v).filter((value) => value !== '');
      const sorted = sortOptions(values, v.sort);
      // Nothing stored: All where the variable offers it, else the first option, as Grafana selects on load.
      const fallback = v.includeAll ? ['$__all'] : sorted.slice(0, 1);
      variables.push({ ...base, options: sorted, current: current.length ? current : fallback });
    } else {
      variables.push({ ...base, options: currentValues(v), current: currentValues(v) });
    }
    templateSrv.setVariables([...variables]);
  }

  // Annotations that are enabled, as events on the time series.
  const annotations: PreviewAnnotation[] = [];
  const annotationSummary: ShowResult['annotations'] = [];
  for (const a of (dashboard.annotations?.list ?? []) as AnnotationJson[]) {
    if (a.builtIn || !a.enable) {
      continue;
    }
    const outcome = ds
      ? await runPluginAnnotation(ds, a, timeRange)
      : await runPrometheusAnnotation(proxyBase, options.scrapeIntervalMs ?? 15_000, a, timeRange, templateSrv);
    annotations.push(...outcome.events);
    annotationSummary.push({ name: a.name, events: outcome.events.length, error: outcome.error });
  }

  // Every panel's queries, transformations and field config.
  const results = new Map<number, PanelQueryResult>();
  const theme = darkTheme;
  await Promise.all(
    visualPanels(dashboard).map(async (panel) => {
      const width = gridBox(panel.gridPos, options.gridWidth).width;
      const result = ds
        ? await runPluginPanel(ds, panel, timeRange, width, theme, templateSrv, requests)
        : await runPrometheusPanel(
            proxyBase,
            options.scrapeIntervalMs ?? 15_000,
            panel,
            timeRange,
            width,
            theme,
            templateSrv
          );
      results.set(panel.id, result);
    })
  );

  // Axis and legend sizes are measured with the theme's font: it must be loaded before the first layout. Grafana's
  // global styles (mounted with any content) declare the font faces.
  mount(<div />);
  await nextFrames(1);
  await Promise.all(
    ['400 12px Inter', '500 12px Inter', '400 14px Inter', '500 14px Inter'].map((font) =>
      document.fonts.load(font).catch(() => [])
    )
  );
  renderErrors.clear();
  mount(
    <DashboardView
      dashboard={dashboard}
      datasourceName={options.datasource.name}
      variables={variables}
      timeRange={timeRange}
      gridWidth={options.gridWidth}
      results={results}
      annotations={annotations}
      replaceVariables={(text) => templateSrv.replace(text)}
      onRenderError={(id, message) => renderErrors.set(id, message)}
    />
  );
  await nextFrames(3);
  await document.fonts.ready;
  await nextFrames(2);

  const rowOf = new Map<number, string>();
  for (const row of dashboardRows(dashboard)) {
    for (const panel of row.panels) {
      rowOf.set(panel.id, row.title);
    }
  }
  const panels: PanelSummary[] = visualPanels(dashboard).map((panel) => {
    const result = results.get(panel.id)!;
    const verdict = dataVerdict(panel, result.frames, timeRange);
    const slot = document.querySelector(`[data-panel-id="${panel.id}"]`);
    return {
      id: panel.id,
      title: panel.title,
      type: panel.type,
      row: rowOf.get(panel.id) ?? '',
      errors: result.errors,
      executed: result.executed,
      intervalMs: result.intervalMs,
      rawFrameCount: result.rawFrameCount,
      frames: summariseFrames(result.frames),
      hasData: verdict.hasData,
      onlyZeros: verdict.onlyZeros,
      unmatchedOverrides: unmatchedOverrides(panel, result.frames),
      unknownTransformations: unknownTransformations(panel),
      unknownOverrideProperties: unknownOverrideProperties(panel),
      datasourceProblem: datasourceProblem(panel, options),
      renderError:
        renderErrors.get(panel.id) ??
        ((SUPPORTED_PANEL_TYPES as readonly string[]).includes(panel.type)
          ? null
          : `panel type "${panel.type}" is not drawn by the preview`),
      showsNoData: Boolean(slot?.querySelector('[data-no-data="true"]')),
    };
  });

  const root = document.querySelector('[data-dashboard]') as HTMLElement;
  const pageTop = (e: Element) => e.getBoundingClientRect().top + window.scrollY;
  const rows = dashboardRows(dashboard)
    .filter((row) => row.title !== '')
    .map((row) => {
      const header = document.querySelector(`[data-row="${row.slug}"]`) as HTMLElement;
      const slots = row.panels
        .map((p) => document.querySelector(`[data-panel-id="${p.id}"]`))
        .filter((e): e is Element => e !== null);
      const top = pageTop(header);
      const bottom = Math.max(
        top + header.offsetHeight,
        ...slots.map((s) => s.getBoundingClientRect().bottom + window.scrollY)
      );
      return { slug: row.slug, title: row.title, top: Math.floor(top), bottom: Math.ceil(bottom) };
    });
  const rect = root.getBoundingClientRect();
  return {
    variables: variables.map((v) => ({ name: v.name, options: v.options, current: v.current })),
    annotations: annotationSummary,
    panels,
    rows,
    box: {
      left: Math.floor(rect.left + window.scrollX),
      top: Math.floor(pageTop(root)),
      width: Math.ceil(rect.width),
      height: Math.ceil(rect.height),
    },
  };
}

const preview = { show, requests, pagePadding: PAGE_PADDING };
(window as unknown as { preview: typeof preview }).preview = preview;
document.body.style.margin = '0';
document.body.dataset.ready = 'true';
