/**
 * From a panel's JSON to the frames its visualisation gets, as Grafana's panel query runner does: the interval from
 * the time range and the panel's width, the request to the datasource (the built plugin's `query()`, or Prometheus's
 * HTTP API through the data proxy with Grafana's interpolation and frame shapes), then the panel's transformations
 * (`transformDataFrame`) and its field config (`applyFieldOverrides`).
 */
import {
  applyFieldOverrides,
  cacheFieldDisplayNames,
  CoreApp,
  dateTime,
  dataFrameFromJSON,
  rangeUtil,
  toDataFrame,
  transformDataFrame,
  type AnnotationEvent,
  type AnnotationQuery,
  type DataFrame,
  type DataFrameJSON,
  type DataQuery,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type FieldConfigSource,
  type GrafanaTheme2,
  type TimeRange,
} from '@grafana/data';
import { lastValueFrom, Observable } from 'rxjs';

import type { AnnotationJson, PanelJson } from '../dashboard';
import {
  framesFromResponse,
  prometheusRequest,
  seriesToTables,
  type PromQueryContext,
  type PromResponse,
  type PromTarget,
  type PromVariable,
} from '../promql';
import { fieldConfigRegistryFor, registerTransformers } from './registries';
import { isAll, type PreviewTemplateSrv } from './templateSrv';

export interface PanelQueryResult {
  /** Frames after transformations and field config: what the visualisation draws. */
  frames: DataFrame[];
  /** Frames the datasource returned, before transformations. */
  rawFrameCount: number;
  errors: string[];
  /** The queries as sent (the plugin's request body, or the PromQL after interpolation). */
  executed: string[];
  intervalMs: number;
}

/** The time range of the preview as Grafana holds it. */
export function timeRangeOf(range: { from: number; to: number }, raw: { from: string; to: string }): TimeRange {
  return { from: dateTime(range.from), to: dateTime(range.to), raw };
}

/** Grafana's panel interval: range / max data points (the panel's width unless set), rounded, at least the minimum. */
export function panelInterval(panel: PanelJson, timeRange: TimeRange, widthPx: number, minInterval?: string) {
  const maxDataPoints = panel.maxDataPoints ?? Math.max(1, Math.round(widthPx));
  const lowLimit = panel.interval || minInterval;
  return { ...rangeUtil.calculateInterval(timeRange, maxDataPoints, lowLimit), maxDataPoints };
}

function errorText(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { message?: string; data?: { message?: string; error?: string }; status?: number };
    return e.message ?? e.data?.message ?? e.data?.error ?? `HTTP ${e.status ?? '?'}`;
  }
  return String(error);
}

async function finish(
  panel: PanelJson,
  frames: DataFrame[],
  errors: string[],
  executed: string[],
  intervalMs: number,
  theme: GrafanaTheme2,
  templateSrv: PreviewTemplateSrv
): Promise<PanelQueryResult> {
  registerTransformers();
  const rawFrameCount = frames.length;
  let transformed = frames;
  const transformations = (panel.transformations ?? []).filter((t) => !t.disabled);
  if (transformations.length > 0) {
    try {
      transformed = await lastValueFrom(
        transformDataFrame(transformations as never, frames, { interpolate: (v: string) => templateSrv.replace(v) })
      );
    } catch (error) {
      errors.push(`transformations failed: ${errorText(error)}`);
      transformed = [];
    }
  }
  const processed = applyFieldOverrides({
    data: transformed,
    fieldConfig: (panel.fieldConfig ?? { defaults: {}, overrides: [] }) as FieldConfigSource,
    fieldConfigRegistry: fieldConfigRegistryFor(panel),
    replaceVariables: (v: string) => templateSrv.replace(v),
    theme,
    timeZone: 'browser',
  });
  // What Grafana's query runner does next: display names cached on each field's state, where tables read them.
  cacheFieldDisplayNames(processed);
  return { frames: processed, rawFrameCount, errors, executed, intervalMs };
}

/** Runs a panel's targets through the built plugin's `query()`, as a dashboard panel does. */
export async function runPluginPanel(
  ds: DataSourceApi<DataQuery>,
  panel: PanelJson,
  timeRange: TimeRange,
  widthPx: number,
  theme: GrafanaTheme2,
  templateSrv: PreviewTemplateSrv,
  requests: Array<{ url: string; data?: unknown }>
): Promise<PanelQueryResult> {
  const { interval, intervalMs, maxDataPoints } = panelInterval(panel, timeRange, widthPx);
  const targets = (panel.targets ?? []).filter((t) => !t.hide) as DataQuery[];
  const request: DataQueryRequest<DataQuery> = {
    requestId: `panel-${panel.id}`,
    panelId: panel.id,
    interval,
    intervalMs,
    maxDataPoints,
    range: timeRange,
    rangeRaw: timeRange.raw,
    scopedVars: {
      __interval: { text: interval, value: interval },
      __interval_ms: { text: String(intervalMs), value: intervalMs },
    },
    targets,
    timezone: 'browser',
    app: CoreApp.Dashboard,
    startTime: Date.now(),
  };
  const before = requests.length;
  const errors: string[] = [];
  let frames: DataFrame[] = [];
  try {
    const result = ds.query(request);
    const response: DataQueryResponse = result instanceof Promise ? await result : await lastValueFrom(result);
    frames = (response.data ?? []).map((f: DataFrame | DataFrameJSON) =>
      'schema' in (f as object) ? dataFrameFromJSON(f as DataFrameJSON) : toDataFrame(f)
    );
    for (const error of response.errors ?? (response.error ? [response.error] : [])) {
      errors.push(`${error.refId ? `${error.refId}: ` : ''}${error.message ?? 'query failed'}`);
    }
  } catch (error) {
    errors.push(errorText(error));
  }
  const executed = requests.slice(before).map((r) => JSON.stringify(r.data ?? r.url));
  return finish(panel, frames, errors, executed, intervalMs, theme, templateSrv);
}

/** Prometheus's variables in the interpolation's terms. */
export function promVariables(templateSrv: PreviewTemplateSrv): Record<string, PromVariable> {
  const out: Record<string, PromVariable> = {};
  for (const v of templateSrv.list()) {
    out[v.name] = {
      values: isAll(v) ? [] : v.current,
      allSelected: isAll(v),
      options: v.options,
      allValue: v.allValue,
      multi: v.multi,
      includeAll: v.includeAll,
    };
  }
  return out;
}

async function fetchProm(url: string): Promise<PromResponse> {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  const text = await response.text();
  try {
    return JSON.parse(text) as PromResponse;
  } catch {
    return { status: 'error', errorType: `HTTP ${response.status}`, error: text.slice(0, 200) || response.statusText };
  }
}

/** Runs a panel's PromQL targets against Prometheus's HTTP API through the data proxy (`proxyBase`). */
export async function runPrometheusPanel(
  proxyBase: string,
  scrapeIntervalMs: number,
  panel: PanelJson,
  timeRange: TimeRange,
  widthPx: number,
  theme: GrafanaTheme2,
  templateSrv: PreviewTemplateSrv
): Promise<PanelQueryResult> {
  const minInterval = `${scrapeIntervalMs / 1000}s`;
  const { intervalMs } = panelInterval(panel, timeRange, widthPx, minInterval);
  const ctx: PromQueryContext = {
    variables: promVariables(templateSrv),
    intervalMs,
    scrapeIntervalMs,
    range: { from: timeRange.from.valueOf(), to: timeRange.to.valueOf() },
  };
  const errors: string[] = [];
  const executed: string[] = [];
  const seriesFrames: DataFrameJSON[] = [];
  const tableFrames: DataFrameJSON[] = [];
  const targets = (panel.targets ?? []).filter((t) => !t.hide) as unknown as PromTarget[];
  await Promise.all(
    targets.map(async (target) => {
      if (typeof target.expr !== 'string' || target.expr.trim() === '') {
        errors.push(`${target.refId}: no expression`);
        return;
      }
      const { path, params } = prometheusRequest(target, ctx);
      const query = params.get('query') ?? '';
      executed.push(`${target.refId}: ${query}`);
      const response = await fetchProm(`${proxyBase}${path}?${params}`);
      const isRange = path.endsWith('query_range');
      const { frames, error } = framesFromResponse(
        target,
        response,
        query,
        isRange ? Number(params.get('step')) * 1000 : null
      );
      if (error) {
        errors.push(`${target.refId}: ${error}`);
      }
      (target.format === 'table' ? tableFrames : seriesFrames).push(...frames);
    })
  );
  const order = (f: DataFrameJSON) => targets.findIndex((t) => t.refId === f.schema?.refId);
  seriesFrames.sort((a, b) => order(a) - order(b));
  tableFrames.sort((a, b) => order(a) - order(b));
  const frames = [...seriesFrames, ...seriesToTables(tableFrames)].map((f) => dataFrameFromJSON(f));
  return finish(panel, frames, errors, executed, intervalMs, theme, templateSrv);
}

export interface PreviewAnnotation {
  name: string;
  color: string;
  time: number;
  timeEnd?: number;
  title: string;
}

/** Annotation events of an enabled plugin annotation: prepareAnnotation → prepareQuery → query() → processEvents. */
export async function runPluginAnnotation(
  ds: DataSourceApi<DataQuery>,
  annotation: AnnotationJson,
  timeRange: TimeRange
): Promise<{ events: PreviewAnnotation[]; error?: string }> {
  const support = ds.annotations;
  if (!support?.prepareQuery || !support.processEvents) {
    return { events: [], error: 'the datasource has no annotation support' };
  }
  const prepared = support.prepareAnnotation
    ? support.prepareAnnotation(annotation as unknown as AnnotationQuery<DataQuery>)
    : (annotation as unknown as AnnotationQuery<DataQuery>);
  const query = support.prepareQuery(prepared);
  if (!query) {
    return { events: [], error: 'the annotation has no query' };
  }
  const result = ds.query({
    requestId: `annotation-${annotation.name}`,
    interval: '1m',
    intervalMs: 60_000,
    range: timeRange,
    scopedVars: {},
    targets: [query],
    timezone: 'browser',
    app: CoreApp.Dashboard,
    startTime: Date.now(),
  });
  const response: DataQueryResponse = result instanceof Promise ? await result : await lastValueFrom(result);
  if (response.errors?.length) {
    return { events: [], error: response.errors.map((e) => e.message).join('; ') };
  }
  const events =
    (await lastValueFrom(
      support.processEvents(prepared, response.data as DataFrame[]) as Observable<AnnotationEvent[] | undefined>
    )) ?? [];
  return {
    events: events.map((e) => ({
      name: annotation.name,
      color: annotation.iconColor ?? 'red',
      time: e.time ?? 0,
      timeEnd: e.isRegion || (e.timeEnd && e.timeEnd !== e.time) ? e.timeEnd : undefined,
      title: e.title ?? e.text ?? annotation.name,
    })),
  };
}

/**
 * Annotation events of a Prometheus annotation query, as Grafana's Prometheus datasource makes them: every sample
 * above zero is an event, consecutive samples (one step apart) join into one region.
 */
export async function runPrometheusAnnotation(
  proxyBase: string,
  scrapeIntervalMs: number,
  annotation: AnnotationJson & { step?: string; titleFormat?: string },
  timeRange: TimeRange,
  templateSrv: PreviewTemplateSrv
): Promise<{ events: PreviewAnnotation[]; error?: string }> {
  const stepMs = Math.max(rangeUtil.intervalToMs(annotation.step ?? '60s'), scrapeIntervalMs);
  const ctx: PromQueryContext = {
    variables: promVariables(templateSrv),
    intervalMs: stepMs,
    scrapeIntervalMs,
    range: { from: timeRange.from.valueOf(), to: timeRange.to.valueOf() },
  };
  const { path, params } = prometheusRequest({ refId: 'Anno', expr: annotation.expr ?? '' }, ctx);
  const response = await fetchProm(`${proxyBase}${path}?${params}`);
  if (response.status !== 'success') {
    return { events: [], error: response.error ?? 'Prometheus refused the annotation query' };
  }
  if (response.data.resultType !== 'matrix') {
    return { events: [] };
  }
  const events: PreviewAnnotation[] = [];
  for (const series of response.data.result) {
    let open: PreviewAnnotation | null = null;
    for (const [t, v] of series.values) {
      const time = Math.round(t * 1000);
      if (Number(v) <= 0) {
        open = null;
        continue;
      }
      if (open && time - (open.timeEnd ?? open.time) <= stepMs) {
        open.timeEnd = time;
      } else {
        open = {
          name: annotation.name,
          color: annotation.iconColor ?? 'red',
          time,
          title: annotation.titleFormat ?? annotation.name,
        };
        events.push(open);
      }
    }
  }
  return { events };
}
