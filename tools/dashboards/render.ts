/**
 * Renders the table of rows and panels (panels/) for one backend: each panel the backend draws, with its queries,
 * its description ending in the query or series behind it, its datasource and its links.
 */
import {
  type DatasourceRef,
  type Json,
  type RowSpec,
  type SizedPanel,
  type StatSpec,
  type TableSpec,
  type TimeSeriesSpec,
  color,
  overrideByRegexp,
  stat,
  steps,
  table,
  timeseries,
  withDataLinks,
  withPanelLinks,
  withStatFields,
} from './grafana';
import { DASHBOARD_UIDS, PLUGIN_ID } from './ids';
import {
  NODE_OF_ROW,
  NODE_OF_SERIES,
  NODE_SERIES_FIELDS,
  nodeDrillDownLink,
  pairsBehindLink,
  panelViewLink,
} from './links';
import { MAIN_ROWS } from './panels';
import type { Absent, Backend, OverviewSpec, PanelDef, RowDef, Source } from './panels/table';
import { type PromTarget, promTarget } from './promql';
import type { ScopeTarget } from './scope-query';

export const DATASOURCES: Record<Backend, DatasourceRef> = {
  scope: { type: PLUGIN_ID, uid: '${datasource}' },
  prometheus: { type: 'prometheus', uid: '${datasource}' },
};

/** The main dashboard of each backend, which the overview's links point into. */
const MAIN_UIDS: Record<Backend, string> = { scope: DASHBOARD_UIDS.scope, prometheus: DASHBOARD_UIDS.prometheus };

type AnySource = Source<unknown, ScopeTarget | PromTarget>;

function sourceOf(def: PanelDef, backend: Backend): AnySource | undefined {
  const part: AnySource | Absent = def[backend];
  return 'absent' in part ? undefined : part;
}

/** The panels of a row that the backend draws. */
const drawn = (row: RowDef, backend: Backend) => row.panels.filter((p) => sourceOf(p, backend));

/** The panel `id` as the backend's main dashboard draws it. */
export function mainPanel(id: number, backend: Backend): PanelDef {
  const def = MAIN_ROWS.flatMap((row) => drawn(row, backend)).find((p) => p.id === id);
  if (!def) {
    throw new Error(`the ${backend} dashboard has no panel ${id}`);
  }
  return def;
}

/** What a link calls a panel: its title up to a colon or a parenthesis ("Endpoint regeneration time"). */
const shortTitle = (title: string) => title.replace(/(:| \().*$/, '');

function targetsOf(def: PanelDef, backend: Backend, part: AnySource): Json[] {
  if (backend === 'scope') {
    return (part.targets as ScopeTarget[]).map((t) => ({ ...t }));
  }
  const named = def.kind === 'overview' ? def.named : undefined;
  return (part.targets as PromTarget[]).map((t) => promTarget({ ...t, legendFormat: t.legendFormat ?? named }));
}

export function renderPanel(def: PanelDef, backend: Backend): SizedPanel {
  const part = sourceOf(def, backend);
  if (!part) {
    throw new Error(`panel ${def.id} (${def.title}) is not drawn on ${backend}`);
  }
  const { kind: _kind, scope: _scope, prometheus: _prometheus, nodeLinks, reasonLinks, ...fields } = def;
  const spec = { ...fields, ...(part.differs as object), targets: targetsOf(def, backend, part) } as Json;
  if (typeof spec.description !== 'string') {
    throw new Error(`panel ${def.id} (${def.title}) has no description on ${backend}`);
  }
  spec.description = `${spec.description} ${part.source}`;
  const ds = DATASOURCES[backend];
  let panel: SizedPanel;
  switch (def.kind) {
    case 'timeseries':
      panel = timeseries(spec as unknown as TimeSeriesSpec, ds);
      break;
    case 'table':
      panel = table(spec as unknown as TableSpec, ds);
      break;
    case 'stat':
      panel = stat(spec as unknown as StatSpec, ds);
      break;
    case 'overview':
      panel = overviewPanel(spec, backend);
      break;
  }
  if (part.statFields) {
    panel = withStatFields(panel, part.statFields);
  }
  if (nodeLinks) {
    // The Prometheus dashboard's datasource is of another type: the drill-down opens on its default.
    const link = nodeDrillDownLink(nodeLinks === 'series' ? NODE_OF_SERIES : NODE_OF_ROW, backend === 'scope');
    const matcher = nodeLinks === 'series' ? NODE_SERIES_FIELDS : ({ id: 'byName', options: 'Node' } as const);
    panel = withDataLinks(panel, [link], matcher);
  }
  if (reasonLinks) {
    panel = withDataLinks(panel, [pairsBehindLink(MAIN_UIDS[backend])], { id: 'byName', options: 'Reason' });
  }
  return panel;
}

/**
 * A stat of an overview row: 3 columns by 4 lines, the value over its sparkline on a background of its threshold's
 * colour (green, red from 1 unless the table says otherwise), named inside, and linked to the panel of the same
 * dashboard that explains it.
 */
function overviewPanel(spec: Json, backend: Backend): SizedPanel {
  const { explains, named, ...fields } = spec as OverviewSpec & { explains: number; named?: string };
  if (named && backend === 'scope') {
    // A single value named inside the stat: the title says what it is about, the name what it counts.
    fields.overrides = [...(fields.overrides ?? []), overrideByRegexp('.*', { displayName: named })];
  }
  const panel = stat(
    {
      w: 3,
      h: 4,
      calc: 'lastNotNull',
      colorMode: 'background',
      graphMode: 'area',
      textMode: 'value_and_name',
      decimals: 0,
      thresholds: steps(color.ok, [1, color.bad]),
      ...fields,
    },
    DATASOURCES[backend]
  );
  const title = shortTitle(mainPanel(explains, backend).title);
  return withPanelLinks(panel, [panelViewLink(MAIN_UIDS[backend], explains, `See "${title}"`)]);
}

/** The main dashboard's rows for one backend, ready for the grid. */
export function mainRows(backend: Backend): RowSpec[] {
  return MAIN_ROWS.map((row) => ({
    id: row.id,
    title: row.title,
    panels: drawn(row, backend).map((def) => renderPanel(def, backend)),
  }));
}
