/**
 * Typed builders for the parts of Grafana's dashboard JSON the Cilium Scope dashboards use: time series, tables,
 * stats, rows, links and the automatic grid layout (template variables are in variables.ts). Output is what Grafana
 * 10.4 reads (schemaVersion 39, panel options that exist from 10.4 on; later releases migrate it forward); tests check
 * it against the @grafana/schema types of every release in the matrix and the JSON schemas of grafana-foundation-sdk.
 */

export interface DatasourceRef {
  type: string;
  uid: string;
}

export interface ThresholdStep {
  value: number | null;
  color: string;
}

export interface Override {
  matcher: { id: 'byName' | 'byRegexp' | 'byType' | 'byFrameRefID'; options: string };
  properties: Array<{ id: string; value: unknown }>;
}

export interface Transformation {
  id: string;
  options: Record<string, unknown>;
}

export interface ValueMapping {
  type: 'value';
  options: Record<string, { text?: string; color?: string; index?: number }>;
}

export type Json = Record<string, unknown>;

/** What every visual panel has. Targets carry their refId; the datasource is added by the dashboard. */
export interface PanelSpec {
  /** Stable id: alert rules link to panels by id, so ids never follow the position. */
  id: number;
  title: string;
  /** Shown in the panel's (i) tooltip: what the panel answers and what feeds it. */
  description: string;
  w: number;
  h: number;
  targets: Json[];
  unit?: string;
  decimals?: number;
  min?: number;
  max?: number;
  /** Absolute threshold steps; the first value is null (the base). */
  thresholds?: ThresholdStep[];
  mappings?: ValueMapping[];
  overrides?: Override[];
  transformations?: Transformation[];
  noValue?: string;
  maxDataPoints?: number;
  interval?: string;
}

export interface TimeSeriesSpec extends PanelSpec {
  stack?: boolean;
  drawStyle?: 'line' | 'bars';
  fillOpacity?: number;
  /** How thresholds are drawn on the graph. */
  thresholdsStyle?: 'off' | 'line' | 'dashed' | 'area' | 'line+area' | 'dashed+area';
  legend?: { asTable?: boolean; calcs?: string[]; sortBy?: string; sortDesc?: boolean; placement?: 'bottom' | 'right' };
  colorMode?: 'palette-classic' | 'thresholds' | 'fixed';
  fixedColor?: string;
  /** Default: `scheme` with threshold colours (each bar or line segment takes its value's colour), else `none`. */
  gradientMode?: 'none' | 'opacity' | 'hue' | 'scheme';
}

export interface TableSpec extends PanelSpec {
  sortBy?: Array<{ displayName: string; desc: boolean }>;
  /** Cell display for every column; per-column cell types go in overrides. */
  cellType?: 'auto' | 'color-background' | 'color-text';
}

export interface StatSpec extends PanelSpec {
  calc: 'lastNotNull' | 'last' | 'max' | 'min' | 'mean' | 'sum';
  colorMode?: 'value' | 'background' | 'none';
  graphMode?: 'none' | 'area';
  textMode?: 'auto' | 'value' | 'value_and_name' | 'name';
  orientation?: 'auto' | 'horizontal' | 'vertical';
}

export interface TextSpec {
  id: number;
  title: string;
  description: string;
  w: number;
  h: number;
  markdown: string;
}

/** A panel ready for layout: the JSON without gridPos, plus its size. */
export interface SizedPanel {
  w: number;
  h: number;
  json: Json;
}

const DEFAULT_THRESHOLDS: ThresholdStep[] = [{ value: null, color: 'green' }];

function fieldDefaults(p: PanelSpec, custom: Json, color: Json): Json {
  const defaults: Json = {
    color,
    custom,
    mappings: p.mappings ?? [],
    thresholds: { mode: 'absolute', steps: p.thresholds ?? DEFAULT_THRESHOLDS },
  };
  for (const key of ['unit', 'decimals', 'min', 'max', 'noValue'] as const) {
    if (p[key] !== undefined) {
      defaults[key] = p[key];
    }
  }
  return defaults;
}

function base(p: PanelSpec, type: string, datasource: DatasourceRef, options: Json, fieldConfig: Json): SizedPanel {
  const json: Json = {
    id: p.id,
    type,
    title: p.title,
    description: p.description,
    datasource,
    fieldConfig,
    options,
    targets: p.targets.map((t) => ({ datasource, ...t })),
  };
  if (p.transformations?.length) {
    json.transformations = p.transformations;
  }
  if (p.maxDataPoints !== undefined) {
    json.maxDataPoints = p.maxDataPoints;
  }
  if (p.interval !== undefined) {
    json.interval = p.interval;
  }
  return { w: p.w, h: p.h, json };
}

export function timeseries(p: TimeSeriesSpec, datasource: DatasourceRef): SizedPanel {
  const custom: Json = {
    drawStyle: p.drawStyle ?? 'line',
    lineWidth: 1,
    lineInterpolation: 'linear',
    fillOpacity: p.fillOpacity ?? (p.stack ? 40 : 10),
    // Without `scheme`, a series coloured by thresholds takes the colour of its last value for every point.
    gradientMode: p.gradientMode ?? (p.colorMode === 'thresholds' ? 'scheme' : 'none'),
    showPoints: 'never',
    pointSize: 4,
    spanNulls: false,
    axisPlacement: 'auto',
    axisBorderShow: false,
    axisCenteredZero: false,
    axisColorMode: 'text',
    axisLabel: '',
    barAlignment: 0,
    scaleDistribution: { type: 'linear' },
    stacking: { mode: p.stack ? 'normal' : 'none', group: 'A' },
    hideFrom: { legend: false, tooltip: false, viz: false },
    thresholdsStyle: { mode: p.thresholdsStyle ?? 'off' },
  };
  const color: Json = { mode: p.colorMode ?? 'palette-classic' };
  if (p.fixedColor) {
    color.fixedColor = p.fixedColor;
  }
  const legend = p.legend ?? {};
  const options: Json = {
    legend: {
      showLegend: true,
      displayMode: legend.asTable ? 'table' : 'list',
      placement: legend.placement ?? 'bottom',
      calcs: legend.calcs ?? [],
      ...(legend.sortBy ? { sortBy: legend.sortBy, sortDesc: legend.sortDesc ?? true } : {}),
    },
    tooltip: { mode: 'multi', sort: 'desc' },
  };
  return base(p, 'timeseries', datasource, options, {
    defaults: fieldDefaults(p, custom, color),
    overrides: p.overrides ?? [],
  });
}

export function table(p: TableSpec, datasource: DatasourceRef): SizedPanel {
  const custom: Json = {
    align: 'auto',
    inspect: false,
    filterable: true,
    cellOptions: { type: p.cellType ?? 'auto' },
  };
  const options: Json = {
    frameIndex: 0,
    showHeader: true,
    cellHeight: 'sm',
    // No `footer`: hidden is the default, and Grafana 12.x moved the table footer out of the panel options.
    sortBy: p.sortBy ?? [],
  };
  return base(p, 'table', datasource, options, {
    // Threshold colours, as Grafana's table defaults: cells in auto mode stay uncoloured, while the columns an
    // override turns into color-text or color-background cells take their thresholds' colours.
    defaults: fieldDefaults(p, custom, { mode: 'thresholds' }),
    overrides: p.overrides ?? [],
  });
}

export function stat(p: StatSpec, datasource: DatasourceRef): SizedPanel {
  const options: Json = {
    reduceOptions: { values: false, calcs: [p.calc], fields: '' },
    orientation: p.orientation ?? 'auto',
    textMode: p.textMode ?? 'auto',
    wideLayout: true,
    colorMode: p.colorMode ?? 'value',
    graphMode: p.graphMode ?? 'none',
    justifyMode: 'auto',
    // percentChangeColorMode came with 11.x; its default applies while showPercentChange is off.
    showPercentChange: false,
  };
  return base(p, 'stat', datasource, options, {
    defaults: fieldDefaults(p, {}, { mode: 'thresholds' }),
    overrides: p.overrides ?? [],
  });
}

export function text(p: TextSpec): SizedPanel {
  return {
    w: p.w,
    h: p.h,
    json: {
      id: p.id,
      type: 'text',
      title: p.title,
      description: p.description,
      options: {
        mode: 'markdown',
        content: p.markdown,
        code: { language: 'plaintext', showLineNumbers: false, showMiniMap: false },
      },
    },
  };
}

export interface RowSpec {
  id: number;
  title: string;
  panels: SizedPanel[];
}

export const GRID_COLUMNS = 24;

/**
 * Places rows and their panels on Grafana's 24-column grid: each row header takes a full-width line, panels flow
 * left to right and wrap when the next one does not fit; a line is as tall as its tallest panel.
 */
export function layout(rows: RowSpec[]): Json[] {
  const out: Json[] = [];
  let y = 0;
  for (const row of rows) {
    out.push({
      id: row.id,
      type: 'row',
      title: row.title,
      collapsed: false,
      panels: [],
      gridPos: { h: 1, w: GRID_COLUMNS, x: 0, y },
    });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const panel of row.panels) {
      if (panel.w > GRID_COLUMNS) {
        throw new Error(`panel ${String(panel.json.id)} is ${panel.w} columns wide; the grid has ${GRID_COLUMNS}`);
      }
      if (x + panel.w > GRID_COLUMNS) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      out.push({ ...panel.json, gridPos: { h: panel.h, w: panel.w, x, y } });
      x += panel.w;
      lineHeight = Math.max(lineHeight, panel.h);
    }
    y += lineHeight;
  }
  return out;
}

export const color = {
  ok: 'green',
  warn: 'orange',
  bad: 'red',
  info: 'blue',
  text: 'text',
};

/** Steps: base colour, then `color` from each value up. */
export function steps(baseColor: string, ...rest: Array<[number, string]>): ThresholdStep[] {
  return [{ value: null, color: baseColor }, ...rest.map(([value, c]) => ({ value, color: c }))];
}

export function overrideByRegexp(pattern: string, properties: Record<string, unknown>): Override {
  return {
    matcher: { id: 'byRegexp', options: pattern },
    properties: Object.entries(properties).map(([id, value]) => ({ id, value })),
  };
}

export function overrideByName(name: string, properties: Record<string, unknown>): Override {
  return {
    matcher: { id: 'byName', options: name },
    properties: Object.entries(properties).map(([id, value]) => ({ id, value })),
  };
}

export const fixedColor = (c: string) => ({ mode: 'fixed', fixedColor: c });

/** A link: in a panel's header (panel links) or on the values it draws (data links, `${__field.labels.node}`). */
export interface Link {
  title: string;
  url: string;
  targetBlank?: boolean;
}

const linkJson = (l: Link): Json => ({ title: l.title, url: l.url, targetBlank: l.targetBlank ?? false });

/**
 * The panel with links in its header: to the panel or dashboard that explains what it shows. Grafana reads a panel
 * link's title, url and targetBlank; the dashboard schema types panel links as dashboard links, whose other fields
 * are written with the values that change nothing (the URL carries the time range and variables itself).
 */
export function withPanelLinks(panel: SizedPanel, links: Link[]): SizedPanel {
  const asDashboardLink = (l: Link): Json => ({
    ...linkJson(l),
    type: 'link',
    icon: 'external link',
    tooltip: l.title,
    tags: [],
    asDropdown: false,
    includeVars: false,
    keepTime: false,
  });
  return { ...panel, json: { ...panel.json, links: links.map(asDashboardLink) } };
}

/**
 * The panel with data links on the values it draws (a graph's tooltip, a stat's value, a table's cells); with a
 * matcher, on the matching fields only (an override), e.g. the series of one query or a table's Node column.
 */
export function withDataLinks(panel: SizedPanel, links: Link[], matcher?: Override['matcher']): SizedPanel {
  const fieldConfig = panel.json.fieldConfig as { defaults: Json; overrides: Override[] };
  const next = matcher
    ? {
        ...fieldConfig,
        overrides: [...fieldConfig.overrides, { matcher, properties: [{ id: 'links', value: links.map(linkJson) }] }],
      }
    : { ...fieldConfig, defaults: { ...fieldConfig.defaults, links: links.map(linkJson) } };
  return { ...panel, json: { ...panel.json, fieldConfig: next } };
}

/** A stat that shows only the fields whose display name matches `pattern` (a /regex/ in reduceOptions.fields). */
export function withStatFields(panel: SizedPanel, pattern: string): SizedPanel {
  const options = panel.json.options as { reduceOptions: Json };
  return {
    ...panel,
    json: { ...panel.json, options: { ...options, reduceOptions: { ...options.reduceOptions, fields: pattern } } },
  };
}
