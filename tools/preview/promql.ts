/**
 * What Grafana's Prometheus datasource does to a panel query and to Prometheus's answer, enough to run the shipped
 * Prometheus dashboard without Grafana: variable and built-in interpolation (`$__interval`, `$__rate_interval`,
 * `$__range`, multi-value and "All" template variables), the step and its alignment, and the data frames Grafana
 * builds from `query_range` / `query` results (one frame per series, labels on the value field, `legendFormat`
 * as the display name; instant "table" queries merged into one table per query with `Value` or `Value #<refId>`).
 *
 * Pure functions on JSON: the browser page and the unit tests use them alike.
 */
import type { DataFrameJSON } from '@grafana/data';

/** A template variable as the interpolation needs it. */
export interface PromVariable {
  /** Selected values; "All" is `allSelected` instead. */
  values: string[];
  allSelected: boolean;
  /** Every option, for "All" without a custom all value. */
  options: string[];
  allValue?: string;
  multi: boolean;
  includeAll: boolean;
}

export interface PromQueryContext {
  variables: Record<string, PromVariable>;
  /** The panel's interval ($__interval), already at least the datasource's scrape interval. */
  intervalMs: number;
  /** The datasource's scrape interval (Grafana's "Scrape interval" setting, 15 s by default). */
  scrapeIntervalMs: number;
  range: { from: number; to: number };
}

export interface PromTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  format?: string;
  hide?: boolean;
}

/** Go's time.Duration.String() for whole milliseconds ("4s", "1m30s", "1h0m0s" → written without zero parts). */
export function formatDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole % 1000 !== 0) {
    return `${whole}ms`;
  }
  let seconds = whole / 1000;
  if (seconds === 0) {
    return '0s';
  }
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(seconds / size);
    if (n > 0) {
      parts.push(`${n}${unit}`);
      seconds -= n * size;
    }
  }
  return parts.join('');
}

/** Grafana's `$__rate_interval`: max($__interval + scrape interval, 4 × scrape interval). */
export function rateIntervalMs(intervalMs: number, scrapeIntervalMs: number): number {
  return Math.max(intervalMs + scrapeIntervalMs, 4 * scrapeIntervalMs);
}

/** Regex metacharacters escaped, as Grafana escapes values that go into `=~` matchers. */
export function escapeRegexValue(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&').replace(/"/g, '\\"');
}

/** A variable's value in PromQL the way Grafana's Prometheus datasource formats it. */
export function formatVariable(variable: PromVariable): string {
  if (variable.allSelected) {
    if (variable.allValue !== undefined && variable.allValue !== '') {
      return variable.allValue;
    }
    return regexAlternatives(variable.options);
  }
  if (!variable.multi && !variable.includeAll) {
    return (variable.values[0] ?? '').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  }
  return variable.values.length === 1 ? escapeRegexValue(variable.values[0]) : regexAlternatives(variable.values);
}

function regexAlternatives(values: string[]): string {
  return `(${values.map(escapeRegexValue).join('|')})`;
}

const VARIABLE_REFERENCE = /\$(\w+)|\$\{(\w+)(?::([^}]*))?\}|\[\[(\w+)(?::[^\]]*)?\]\]/g;

/** `${__from}` and `${__to}`: Unix ms, or seconds with the `date:seconds` format (the formats PromQL needs). */
function rangeBoundary(ms: number, format: string | undefined): string {
  if (format === undefined || format === '') {
    return String(ms);
  }
  if (format === 'date:seconds') {
    return String(Math.floor(ms / 1000));
  }
  throw new Error(`the preview formats \${__from} and \${__to} as ms or date:seconds, not "${format}"`);
}

/** The expression with built-in and template variables replaced; unknown `$names` stay as written. */
export function interpolateExpr(expr: string, ctx: PromQueryContext): string {
  const rangeMs = ctx.range.to - ctx.range.from;
  const rate = rateIntervalMs(ctx.intervalMs, ctx.scrapeIntervalMs);
  const builtIns: Record<string, string> = {
    __interval: formatDuration(ctx.intervalMs),
    __interval_ms: String(ctx.intervalMs),
    __rate_interval: formatDuration(rate),
    __rate_interval_ms: String(rate),
    __range: `${Math.round(rangeMs / 1000)}s`,
    __range_s: String(Math.round(rangeMs / 1000)),
    __range_ms: String(rangeMs),
  };
  return expr.replace(VARIABLE_REFERENCE, (whole, a?: string, b?: string, format?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    if (name in builtIns) {
      return builtIns[name];
    }
    if (name === '__from' || name === '__to') {
      return rangeBoundary(name === '__from' ? ctx.range.from : ctx.range.to, format);
    }
    const variable = ctx.variables[name];
    return variable ? formatVariable(variable) : whole;
  });
}

/** Step and aligned range of a range query: the interval (at least the scrape interval), start and end on it. */
export function rangeQueryWindow(ctx: PromQueryContext): { start: number; end: number; stepMs: number } {
  const stepMs = Math.max(ctx.intervalMs, ctx.scrapeIntervalMs);
  const start = Math.floor(ctx.range.from / stepMs) * stepMs;
  const end = Math.floor(ctx.range.to / stepMs) * stepMs;
  return { start, end, stepMs };
}

/** The query string of `/api/v1/query_range` or `/api/v1/query` for one target. */
export function prometheusRequest(
  target: PromTarget,
  ctx: PromQueryContext
): { path: string; params: URLSearchParams } {
  const query = interpolateExpr(target.expr, ctx);
  if (target.instant && !target.range) {
    return {
      path: '/api/v1/query',
      params: new URLSearchParams({ query, time: String(ctx.range.to / 1000) }),
    };
  }
  const { start, end, stepMs } = rangeQueryWindow(ctx);
  return {
    path: '/api/v1/query_range',
    params: new URLSearchParams({
      query,
      start: String(start / 1000),
      end: String(end / 1000),
      step: String(stepMs / 1000),
    }),
  };
}

/** `{{label}}` replaced by the series' label values (missing labels by nothing), as Grafana's legend format does. */
export function legendName(legendFormat: string | undefined, labels: Record<string, string>, expr: string): string {
  if (legendFormat === undefined || legendFormat === '' || legendFormat === '__auto') {
    // Grafana leaves the name to the labels when there are any; a series without labels is named by its query.
    return Object.keys(labels).length > 0 ? '' : expr;
  }
  const name = legendFormat.replace(/\{\{\s*(.+?)\s*\}\}/g, (_whole, label: string) => labels[label] ?? '');
  return name === '{}' ? expr : name;
}

interface PromSuccess {
  status: 'success';
  data:
    | { resultType: 'matrix'; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }
    | { resultType: 'vector'; result: Array<{ metric: Record<string, string>; value: [number, string] }> }
    | { resultType: 'scalar' | 'string'; result: [number, string] };
}

export interface PromError {
  status: 'error';
  errorType?: string;
  error?: string;
}

export type PromResponse = PromSuccess | PromError;

/** Prometheus writes NaN and ±Inf as strings; Grafana shows them as numbers. */
function sampleValue(text: string): number {
  if (text === '+Inf') {
    return Infinity;
  }
  if (text === '-Inf') {
    return -Infinity;
  }
  return Number(text);
}

function seriesFrame(
  target: PromTarget,
  metric: Record<string, string>,
  samples: Array<[number, string]>,
  stepMs: number | null,
  executed: string
): DataFrameJSON {
  const name = legendName(target.legendFormat, withoutName(metric), target.expr);
  const valueConfig: Record<string, unknown> = name ? { displayNameFromDS: name } : {};
  return {
    schema: {
      refId: target.refId,
      name: name || undefined,
      meta: {
        // @grafana/data's DataFrameType enum values, written as the strings Grafana's JSON carries.
        type: (stepMs === null ? 'numeric-multi' : 'timeseries-multi') as never,
        typeVersion: [0, 1],
        executedQueryString: executed,
      },
      fields: [
        { name: 'Time', type: 'time' as never, config: stepMs === null ? {} : { interval: stepMs } },
        { name: 'Value', type: 'number' as never, labels: metric, config: valueConfig },
      ],
    },
    data: { values: [samples.map(([t]) => Math.round(t * 1000)), samples.map(([, v]) => sampleValue(v))] },
  };
}

/** Legend templates see the labels without `__name__` (Grafana's `{{__name__}}` is rarely used; none here). */
function withoutName(metric: Record<string, string>): Record<string, string> {
  const { __name__: _name, ...rest } = metric;
  return rest;
}

/**
 * Frames of one target's answer, or the error Grafana would show on the panel. `stepMs` is the range query's step
 * (null for an instant query).
 */
export function framesFromResponse(
  target: PromTarget,
  response: PromResponse,
  executedQuery: string,
  stepMs: number | null
): { frames: DataFrameJSON[]; error?: string } {
  if (response.status !== 'success') {
    return {
      frames: [],
      error: `${response.errorType ?? 'error'}: ${response.error ?? 'Prometheus refused the query'}`,
    };
  }
  const executed = `Expr: ${executedQuery}${stepMs === null ? '' : `\nStep: ${formatDuration(stepMs)}`}`;
  const data = response.data;
  switch (data.resultType) {
    case 'matrix':
      return { frames: data.result.map((s) => seriesFrame(target, s.metric, s.values, stepMs, executed)) };
    case 'vector':
      return { frames: data.result.map((s) => seriesFrame(target, s.metric, [s.value], stepMs, executed)) };
    case 'scalar':
      return { frames: [seriesFrame(target, {}, [data.result], stepMs, executed)] };
    default:
      return { frames: [], error: `Prometheus answered a ${data.resultType}, which a panel cannot show` };
  }
}

/**
 * Grafana's table format for Prometheus (`transformDFToTable`): the series of each refId become one table with
 * Time, one column per label (sorted by name), and the values in `Value`, or `Value #<refId>` when series of
 * several queries are present.
 */
export function seriesToTables(frames: DataFrameJSON[]): DataFrameJSON[] {
  const refIds = [...new Set(frames.map((f) => f.schema?.refId ?? ''))];
  const tables: DataFrameJSON[] = [];
  const valueName = (refId: string) => (refIds.length > 1 ? `Value #${refId}` : 'Value');
  for (const refId of refIds) {
    const mine = frames.filter((f) => f.schema?.refId === refId);
    if (mine.length === 0) {
      continue;
    }
    const labelNames = [...new Set(mine.flatMap((f) => Object.keys(f.schema?.fields[1]?.labels ?? {})))].sort();
    const times: number[] = [];
    const values: number[] = [];
    const labelColumns: string[][] = labelNames.map(() => []);
    for (const frame of mine) {
      const [timeValues = [], sampleValues = []] = frame.data?.values ?? [];
      const labels = frame.schema?.fields[1]?.labels ?? {};
      timeValues.forEach((t, i) => {
        times.push(Number(t));
        values.push(Number(sampleValues[i]));
        labelNames.forEach((label, j) => labelColumns[j].push(labels[label] ?? ''));
      });
    }
    tables.push({
      schema: {
        refId,
        meta: { ...mine[0].schema?.meta, preferredVisualisationType: 'rawPrometheus' as never },
        fields: [
          { name: 'Time', type: 'time' as never },
          ...labelNames.map((name) => ({
            name,
            type: (name === 'le' ? 'number' : 'string') as never,
            config: { filterable: true },
          })),
          { name: valueName(refId), type: 'number' as never },
        ],
      },
      data: {
        values: [times, ...labelColumns.map((c, j) => (labelNames[j] === 'le' ? c.map(Number) : c)), values],
      },
    });
  }
  return tables;
}
