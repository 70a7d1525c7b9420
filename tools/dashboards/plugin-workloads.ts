/**
 * "Who is being dropped" on the Cilium Scope datasource: the workload pairs behind the drops (Hubble), over time
 * and as a table with the policy that denied them (Hubble Relay) and their share of the node's drops. The anomaly
 * table links here (pairsBehindLink).
 */
import type { ScopeQuery } from '../../src/contract';
import { type DatasourceRef, type Json, overrideByName, queryVariable, table, timeseries, withDataLinks } from './grafana';
import { PANEL_IDS as P } from './ids';
import { NODE_OF_ROW, nodeDrillDownLink } from './links';
import { DIRECTION_VAR, NODE_VAR, REASON_VAR } from './shared';

export const NAMESPACE_VAR = '$namespace';
export const WORKLOAD_VAR = '$workload';

/** Pairs drawn by the time series: a fixed number, so the panel stays light whatever the cluster. */
export const TOP_PAIRS = 10;
export const TABLE_ROWS = 20;

const filters: Pick<ScopeQuery, 'node' | 'namespace' | 'workload' | 'direction' | 'reason'> = {
  node: NODE_VAR,
  namespace: NAMESPACE_VAR,
  workload: WORKLOAD_VAR,
  direction: DIRECTION_VAR,
  reason: REASON_VAR,
};

const query = (q: Omit<ScopeQuery, 'refId' | 'queryType'>): Json => ({ refId: 'A', queryType: 'workloadDrops', ...filters, ...q });

/** The namespace and workload variables of the row: those with drops in the range (Hubble). */
export function workloadVariables(datasource: DatasourceRef): Json[] {
  return [
    queryVariable({
      name: 'namespace',
      label: 'Namespace',
      description: 'Namespaces of workload pairs with drops in the range (Hubble); a pair matches at either end.',
      query: 'namespaces(dropped)',
      datasource,
    }),
    queryVariable({
      name: 'workload',
      label: 'Workload',
      description: 'Workloads with drops in the range, in the selected namespaces; a pair matches at either end.',
      query: `workloads(${NAMESPACE_VAR})`,
      datasource,
    }),
  ];
}

export function pluginWorkloadsRow(datasource: DatasourceRef) {
  return [
    timeseries(
      {
        id: P.workloadPairs,
        title: 'Who is being dropped: top workload pairs',
        description:
          `Drops per second of the ${TOP_PAIRS} source → destination workload pairs with the highest mean drop rate ` +
          'over the range, summed over the selected nodes, by reason and direction, and every other pair as "other ' +
          'pairs". From Hubble (the exporter needs --hubble-port, --hubble or --hubble-relay). The namespace and ' +
          'workload variables match either end of a pair. Query: workloadDrops, view pairs.',
        w: 24,
        h: 9,
        targets: [query({ topN: TOP_PAIRS, others: true })],
        unit: 'pps',
        min: 0,
        fillOpacity: 0,
        legend: { asTable: true, placement: 'right', calcs: ['mean', 'max'], sortBy: 'Mean', sortDesc: true },
        overrides: [overrideByName('other pairs', { 'custom.lineStyle': { fill: 'dash', dash: [10, 10] }, color: { mode: 'fixed', fixedColor: 'text' } })],
      },
      datasource
    ),
    withDataLinks(
      table(
        {
          id: P.workloadTable,
          title: 'Who is being dropped: pairs by node, with the denying policy',
          description:
            `The ${TABLE_ROWS} node × workload pairs that dropped most over the range: source → destination, reason, ` +
            'direction, the policies Hubble Relay named as denying them and the ports, the mean drop rate and its share ' +
            "of the node's drops. Policies need Hubble Relay (--hubble-relay); the panel says so when they are not " +
            'known. Click a node for its dashboard. Query: workloadDrops, view table.',
          w: 24,
          h: 11,
          targets: [query({ view: 'table', limit: TABLE_ROWS })],
          sortBy: [{ displayName: 'Drop rate', desc: true }],
          // Fixed widths for the short columns leave the endpoints and the policy the rest of the panel.
          overrides: [
            overrideByName('Node', { 'custom.width': 110 }),
            overrideByName('Reason', { 'custom.width': 140 }),
            overrideByName('Direction', { 'custom.width': 95 }),
            // Empty: Relay named no policy (or the exporter does not follow Relay, which the panel says).
            overrideByName('Ports', { 'custom.width': 120, noValue: '—' }),
            overrideByName('Drop rate', { 'custom.width': 110 }),
            overrideByName('Dropped packets', { 'custom.width': 140 }),
            overrideByName('Share of node drops', {
              'custom.cellOptions': { type: 'gauge', mode: 'basic', valueDisplayMode: 'text' },
              color: { mode: 'continuous-BlPu' },
              'custom.width': 170,
            }),
            overrideByName('Denying policy', {
              'custom.cellOptions': { type: 'auto', wrapText: true },
              'custom.wrapText': true,
              noValue: '—',
            }),
          ],
        },
        datasource
      ),
      [nodeDrillDownLink(NODE_OF_ROW, true)],
      { id: 'byName', options: 'Node' }
    ),
  ];
}
