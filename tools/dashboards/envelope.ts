/**
 * One dashboard definition, two files: the shareable copy (imported through Grafana's UI or the plugin's
 * Dashboards tab, with `__inputs` for the datasource) and the provisioned copy (file provisioning does not
 * substitute inputs, so it names the provisioned datasource's fixed uid instead).
 */
import { FOLDER, OLDEST_GRAFANA, SCHEMA_VERSION } from './ids';
import type { Json } from './grafana';

export interface DashboardDefinition {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  /** The datasource plugin the dashboard is built on (`prometheus` or the Cilium Scope plugin id). */
  datasource: { pluginId: string; pluginName: string; input: string; provisionedUid: string; provisionedName: string };
  /** Template variables after the datasource variable; they refer to the datasource as `${datasource}`. */
  variables: Json[];
  /** Annotation queries after Grafana's built-in one. */
  annotations: Json[];
  panels: Json[];
  links: Json[];
  time?: { from: string; to: string };
  refresh?: string;
}

export type Variant = 'import' | 'provisioned';

function datasourceVariable(def: DashboardDefinition, variant: Variant): Json {
  const ds = def.datasource;
  const current =
    variant === 'import'
      ? { text: `\${${ds.input}}`, value: `\${${ds.input}}` }
      : { text: ds.provisionedName, value: ds.provisionedUid };
  return {
    type: 'datasource',
    name: 'datasource',
    label: 'Data source',
    description: `The ${ds.pluginName} datasource the panels query.`,
    query: ds.pluginId,
    current,
    options: [],
    regex: '',
    hide: 0,
    refresh: 1,
    includeAll: false,
    multi: false,
    skipUrlSync: false,
  };
}

const BUILT_IN_ANNOTATION: Json = {
  builtIn: 1,
  datasource: { type: 'grafana', uid: '-- Grafana --' },
  enable: true,
  hide: true,
  iconColor: 'rgba(0, 211, 255, 1)',
  name: 'Annotations & Alerts',
  type: 'dashboard',
};

export function renderDashboard(def: DashboardDefinition, variant: Variant): Json {
  const body: Json = {
    uid: def.uid,
    title: def.title,
    description: def.description,
    tags: def.tags,
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    liveNow: false,
    refresh: def.refresh ?? '30s',
    schemaVersion: SCHEMA_VERSION,
    time: def.time ?? { from: 'now-1h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    version: 1,
    weekStart: '',
    annotations: { list: [BUILT_IN_ANNOTATION, ...def.annotations] },
    templating: { list: [datasourceVariable(def, variant), ...def.variables] },
    links: def.links,
    panels: def.panels,
  };
  if (variant === 'provisioned') {
    return body;
  }
  const ds = def.datasource;
  return {
    __inputs: [
      {
        name: ds.input,
        label: ds.pluginName,
        description: `The ${ds.pluginName} datasource to show (folder "${FOLDER.title}" when provisioned).`,
        type: 'datasource',
        pluginId: ds.pluginId,
        pluginName: ds.pluginName,
      },
    ],
    __elements: {},
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: OLDEST_GRAFANA },
      { type: 'datasource', id: ds.pluginId, name: ds.pluginName, version: '' },
      ...panelTypes(def.panels).map((id) => ({ type: 'panel', id, name: id, version: '' })),
    ],
    ...body,
    // An imported dashboard gets its own id in the target Grafana.
    id: null,
  };
}

function panelTypes(panels: Json[]): string[] {
  return [...new Set(panels.map((p) => String(p.type)).filter((t) => t !== 'row'))].sort();
}

/** Stable, readable JSON (two-space indent, trailing newline) so regenerating is a no-op diff. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
