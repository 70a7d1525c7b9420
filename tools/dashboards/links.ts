/**
 * Links between the dashboards: from a node's series or table row to the node drill-down (that node selected, the
 * time range kept), and from an overview stat to the panel that explains it.
 */
import { DASHBOARD_UIDS, PANEL_IDS } from './ids';
import type { Link, Override } from './grafana';

/** Where a link opens a panel of a dashboard on its own (Grafana's panel view), with the time range and variables. */
export function panelViewLink(dashboardUid: string, panelId: number, title: string): Link {
  return { title, url: `/d/${dashboardUid}?viewPanel=${panelId}&\${__url_time_range}&\${__all_variables}` };
}

/**
 * The node drill-down for the node a value belongs to: `${__field.labels.node}` on a series, `${__data.fields.Node}`
 * on a table row. `sameDatasource` passes the dashboard's Cilium Scope datasource on (not from the Prometheus
 * dashboard, whose datasource is of another type: the drill-down then opens on its default).
 */
export function nodeDrillDownLink(node: string, sameDatasource: boolean): Link {
  const datasource = sameDatasource ? '&var-datasource=${datasource}' : '';
  return {
    title: `Open node ${node} in "Cilium Scope: node"`,
    url: `/d/${DASHBOARD_UIDS.node}?var-node=${node}&\${__url_time_range}${datasource}`,
  };
}

/** Data links of a per-node series: on the series of the top-N query (refId B), which carry the node label. */
export const NODE_SERIES_FIELDS: Override['matcher'] = { id: 'byFrameRefID', options: 'B' };
export const NODE_OF_SERIES = '${__field.labels.node}';
export const NODE_OF_ROW = '${__data.fields.Node}';

/**
 * From a drop series of the anomaly table (its row's Node and Reason) to the workload pairs behind it: the "Who is
 * being dropped" table of the same dashboard on its own, with those variables set and the time range kept. The
 * direction is left at All: Hubble metrics in source/destination context carry none (UNKNOWN). The reason is
 * percent-encoded ("Policy denied").
 */
export function pairsBehindLink(dashboardUid: string): Link {
  return {
    title: 'Who is being dropped: ${__data.fields.Reason} on ${__data.fields.Node}',
    url:
      `/d/${dashboardUid}?viewPanel=${PANEL_IDS.workloadTable}&var-node=\${__data.fields.Node}` +
      '&var-reason=${__data.fields.Reason:percentencode}&${__url_time_range}&var-datasource=${datasource}',
  };
}
