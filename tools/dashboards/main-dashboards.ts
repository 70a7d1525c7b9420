/**
 * The two main dashboards, one per backend, around the same rows (panels/): "Cilium Scope" on the plugin's
 * datasource, for what Prometheus cannot show well (named unmanaged pods, drop reasons with their meaning, anomaly
 * bands, agent status), and "Cilium Scope (Prometheus)" over the exporter's `ciliumscope_*` series, for teams that
 * keep history in Prometheus.
 */
import type { DashboardDefinition } from './envelope';
import { type Json, layout } from './grafana';
import { DASHBOARD_UIDS, DATASOURCE_UIDS, INPUTS, PLUGIN_ID } from './ids';
import type { Backend } from './panels/table';
import { NODE } from './promql';
import { DATASOURCES, mainRows } from './render';
import { NODE_VAR } from './scope-query';
import { type FilterDef, queryVariable, topNVariable } from './variables';
import { WORKLOAD_FILTERS } from './panels/who-is-dropped';

/** The Cilium Scope datasource of the plugin's dashboards: an import input, or the provisioned one. */
export const SCOPE_DATASOURCE: DashboardDefinition['datasource'] = {
  pluginId: PLUGIN_ID,
  pluginName: 'Cilium Scope',
  input: INPUTS.scope,
  provisionedUid: DATASOURCE_UIDS.scope,
  provisionedName: 'Cilium Scope',
};

type PerBackend<T> = Record<Backend, T>;

/** The filters of both dashboards: the datasource's variable queries, or label values of the exporter's series. */
const FILTERS: FilterDef[] = [
  {
    name: 'node',
    label: 'Node',
    description: 'Kubernetes nodes the exporter scrapes.',
    query: { scope: 'nodes()', prometheus: 'label_values(ciliumscope_target_up{component="agent"}, node)' },
  },
  {
    name: 'direction',
    label: 'Direction',
    description: 'Traffic direction of drops (INGRESS, EGRESS).',
    query: { scope: 'directions()', prometheus: 'label_values(ciliumscope_dropped_packets_total, direction)' },
  },
  {
    name: 'reason',
    label: 'Drop reason',
    // The plugin lists the reasons reported now; label_values, those of the range.
    description: {
      scope: 'Drop reasons the cluster currently reports.',
      prometheus: 'Drop reasons reported in the range.',
    },
    query: { scope: 'drop_reasons(seen)', prometheus: 'label_values(ciliumscope_dropped_packets_total, reason)' },
  },
  ...WORKLOAD_FILTERS,
];

/** A filter variable of the backend's dashboards; Prometheus matches "All" with a regex. */
export function filterVariable(name: string, backend: Backend): Json {
  const f = FILTERS.find((v) => v.name === name);
  if (!f) {
    throw new Error(`no filter variable ${name}`);
  }
  return queryVariable({
    name: f.name,
    label: f.label,
    description: typeof f.description === 'string' ? f.description : f.description[backend],
    query: f.query[backend],
    datasource: DATASOURCES[backend],
    ...(backend === 'prometheus' ? { allValue: '.*' } : {}),
    ...(f.regex?.[backend] !== undefined ? { regex: f.regex[backend] } : {}),
  });
}

export function pluginAnnotation(name: string, kind: string, iconColor: string, enable: boolean): Json {
  return {
    name,
    datasource: DATASOURCES.scope,
    enable,
    hide: false,
    iconColor,
    target: { refId: 'Anno', annotationKind: kind, node: NODE_VAR },
  };
}

/** The dashboard link to the node drill-down, keeping the time range (it opens on its own node variable). */
const NODE_DASHBOARD_LINK: Json = {
  title: 'Cilium Scope: node',
  type: 'link',
  url: `/d/${DASHBOARD_UIDS.node}`,
  asDropdown: false,
  icon: 'dashboard',
  tooltip: "One node's endpoints, pods, regeneration, traffic, drops, anomaly bands, policy and agent",
  includeVars: false,
  keepTime: true,
  targetBlank: false,
  tags: [],
};

/** The link to the other main dashboard (by its tag), keeping the time range and the variables. */
const otherDashboard = (title: string, tag: string, tooltip: string): Json => ({
  title,
  type: 'dashboards',
  tags: [tag],
  asDropdown: false,
  icon: 'dashboard',
  tooltip,
  includeVars: true,
  keepTime: true,
  targetBlank: false,
  url: '',
});

type Envelope = Omit<DashboardDefinition, 'variables' | 'panels'>;

const ENVELOPES: PerBackend<Envelope> = {
  scope: {
    uid: DASHBOARD_UIDS.scope,
    title: 'Cilium Scope',
    description:
      'Cilium endpoints, unmanaged pods, forwarded and dropped packets with drop reasons and anomaly bands, policy and ' +
      'agent health, from the Cilium Scope exporter.',
    tags: ['cilium', 'ciliumscope', 'kubernetes', 'network'],
    datasource: SCOPE_DATASOURCE,
    annotations: [
      pluginAnnotation('Drop anomalies', 'dropAnomalies', 'red', true),
      pluginAnnotation('Policy import errors', 'policyImportErrors', 'orange', true),
      pluginAnnotation('Agent restarts', 'agentRestarts', 'purple', false),
    ],
    links: [
      otherDashboard(
        'Cilium Scope (Prometheus)',
        'ciliumscope-prometheus',
        'The same sections from Prometheus, with its longer history'
      ),
      NODE_DASHBOARD_LINK,
    ],
  },
  prometheus: {
    uid: DASHBOARD_UIDS.prometheus,
    title: 'Cilium Scope (Prometheus)',
    description:
      "Cilium endpoints, pods, packet flow and drops, anomaly bands, policy and agent health from the Cilium Scope exporter's " +
      'ciliumscope_* series in Prometheus.',
    tags: ['cilium', 'ciliumscope-prometheus', 'kubernetes', 'network', 'prometheus'],
    datasource: {
      pluginId: 'prometheus',
      pluginName: 'Prometheus',
      input: INPUTS.prometheus,
      provisionedUid: DATASOURCE_UIDS.prometheus,
      provisionedName: 'Prometheus',
    },
    annotations: [
      {
        name: 'Policy import errors',
        datasource: DATASOURCES.prometheus,
        enable: true,
        hide: false,
        iconColor: 'orange',
        expr: `sum by (node) (increase(ciliumscope_policy_import_errors_total{${NODE}}[2m])) > 0`,
        step: '1m',
        titleFormat: 'Policy import error',
        textFormat: '{{node}}',
        tagKeys: 'node',
        useValueForTime: false,
      },
    ],
    links: [
      otherDashboard(
        'Cilium Scope (datasource)',
        'ciliumscope',
        'Named unmanaged pods, drop reasons with meaning and anomaly bands from the Cilium Scope datasource'
      ),
      NODE_DASHBOARD_LINK,
    ],
  },
};

export function mainDashboard(backend: Backend): DashboardDefinition {
  return {
    ...ENVELOPES[backend],
    variables: [...FILTERS.map((f) => filterVariable(f.name, backend)), topNVariable()],
    panels: layout(mainRows(backend)),
  };
}
