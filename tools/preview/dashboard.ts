/**
 * The parts of Grafana's dashboard JSON the preview reads, and what it does with them before any query: the import
 * step (`__inputs` replaced by a datasource uid, as Grafana's import does), rows with their panels, and file names.
 * No runtime dependencies: the Node side and the browser page both import this.
 */

/** Grafana's grid: 24 columns, 30 px per grid line, 8 px between panels. */
export const GRID = { columns: 24, cellHeight: 30, margin: 8 };
/** Width of the panel grid the preview draws (with the page's padding the images are 1600 px wide): a 1080p screen. */
export const GRID_WIDTH = 1568;
export const PAGE_PADDING = 16;

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Pixel box of a gridPos in a grid `gridWidth` pixels wide (react-grid-layout's arithmetic, as Grafana uses it). */
export function gridBox(pos: { x: number; y: number; w: number; h: number }, gridWidth: number): Box {
  const colWidth = (gridWidth - GRID.margin * (GRID.columns - 1)) / GRID.columns;
  return {
    left: Math.round(pos.x * (colWidth + GRID.margin)),
    top: Math.round(pos.y * (GRID.cellHeight + GRID.margin)),
    width: Math.round(pos.w * colWidth + Math.max(0, pos.w - 1) * GRID.margin),
    height: Math.round(pos.h * GRID.cellHeight + Math.max(0, pos.h - 1) * GRID.margin),
  };
}

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface PanelTarget {
  refId: string;
  datasource?: DatasourceRef;
  hide?: boolean;
  [key: string]: unknown;
}

export interface FieldConfigSourceJson {
  defaults: Record<string, unknown> & { custom?: Record<string, unknown> };
  overrides: Array<{
    matcher: { id: string; options?: unknown };
    properties: Array<{ id: string; value?: unknown }>;
  }>;
}

export interface PanelJson {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: GridPos;
  datasource?: DatasourceRef;
  targets?: PanelTarget[];
  fieldConfig?: FieldConfigSourceJson;
  options?: Record<string, unknown>;
  transformations?: Array<{ id: string; options: Record<string, unknown>; disabled?: boolean }>;
  maxDataPoints?: number;
  interval?: string;
  /** Rows: whether collapsed, and the panels they hold when collapsed. */
  collapsed?: boolean;
  panels?: PanelJson[];
}

export interface VariableJson {
  type: string;
  name: string;
  label?: string;
  query?: unknown;
  datasource?: DatasourceRef;
  current?: { text?: unknown; value?: unknown };
  includeAll?: boolean;
  multi?: boolean;
  allValue?: string;
  hide?: number;
  sort?: number;
  regex?: string;
}

export interface AnnotationJson {
  name: string;
  enable: boolean;
  hide?: boolean;
  iconColor?: string;
  builtIn?: number;
  datasource?: DatasourceRef;
  target?: Record<string, unknown>;
  expr?: string;
}

export interface DashboardJson {
  uid: string;
  title: string;
  time?: { from: string; to: string };
  timezone?: string;
  __inputs?: Array<{ name: string; type: string; pluginId: string }>;
  templating: { list: VariableJson[] };
  annotations?: { list: AnnotationJson[] };
  panels: PanelJson[];
}

export interface DashboardRow {
  title: string;
  /** File-name form of the title ("Packet flow" → "packet-flow"). */
  slug: string;
  /** Grid line of the row header. */
  y: number;
  panels: PanelJson[];
}

/** "Packet flow" → "packet-flow". */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * What Grafana's import does with a shared dashboard: every `${INPUT}` of `__inputs` becomes the chosen datasource's
 * uid, and `__inputs`, `__requires` and `__elements` go away.
 */
export function importDashboard(json: unknown, inputs: Record<string, string>): DashboardJson {
  const dashboard = json as DashboardJson & Record<string, unknown>;
  if (!dashboard || typeof dashboard !== 'object' || !Array.isArray(dashboard.panels)) {
    throw new Error('not a dashboard: no panels array');
  }
  for (const input of dashboard.__inputs ?? []) {
    if (!(input.name in inputs)) {
      throw new Error(`the dashboard needs a datasource for its input ${input.name} (${input.pluginId})`);
    }
  }
  let text = JSON.stringify(dashboard);
  for (const [name, uid] of Object.entries(inputs)) {
    text = text.split(`\${${name}}`).join(uid);
  }
  const imported = JSON.parse(text) as DashboardJson & Record<string, unknown>;
  delete imported.__inputs;
  delete imported.__requires;
  delete imported.__elements;
  return imported;
}

/** Panels that query and draw (everything but rows), collapsed rows' panels included, in grid order. */
export function visualPanels(dashboard: DashboardJson): PanelJson[] {
  const out: PanelJson[] = [];
  for (const panel of dashboard.panels) {
    if (panel.type === 'row') {
      out.push(...(panel.collapsed ? (panel.panels ?? []) : []));
    } else {
      out.push(panel);
    }
  }
  return out;
}

/**
 * The dashboard's rows in grid order with the panels under each (up to the next row header). Panels above the
 * first row header form an untitled row.
 */
export function dashboardRows(dashboard: DashboardJson): DashboardRow[] {
  const sorted = [...dashboard.panels].sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x);
  const rows: DashboardRow[] = [];
  let current: DashboardRow | null = null;
  for (const panel of sorted) {
    if (panel.type === 'row') {
      current = { title: panel.title, slug: slug(panel.title), y: panel.gridPos.y, panels: [] };
      rows.push(current);
      if (panel.collapsed) {
        current.panels.push(...(panel.panels ?? []));
      }
      continue;
    }
    if (!current) {
      current = { title: '', slug: 'top', y: 0, panels: [] };
      rows.push(current);
    }
    current.panels.push(panel);
  }
  return rows;
}

/**
 * A copy of a dashboard with a variable set to a value (or, for a multi-value variable, several), as a link with
 * `var-<name>=<value>` (repeated) opens it.
 */
export function withVariable(dashboard: DashboardJson, name: string, value: string | string[]): DashboardJson {
  const text = Array.isArray(value) ? value.join(' + ') : value;
  return {
    ...dashboard,
    templating: {
      list: dashboard.templating.list.map((v) => (v.name === name ? { ...v, current: { text, value } } : v)),
    },
  };
}
