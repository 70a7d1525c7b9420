/**
 * "Who is being dropped" over ciliumscope_workload_dropped_packets_total in Prometheus: what the series carry (the
 * pairs, their reason and direction, per node), no denying policy (that comes from Hubble Relay through the Cilium
 * Scope datasource). A pair matches the namespace and workload variables at either end: one selector per end, joined
 * with `or` (the same series from both ends is one).
 */
import { type DatasourceRef, type Json, overrideByName, queryVariable, table, timeseries, withDataLinks } from './grafana';
import { PANEL_IDS as P } from './ids';
import { NODE_OF_ROW, nodeDrillDownLink } from './links';
import { promTarget } from './prometheus-target';
import { DIRECTION, NODE, REASON } from './promql';
import { TABLE_ROWS, TOP_PAIRS } from './plugin-workloads';

const SERIES = 'ciliumscope_workload_dropped_packets_total';
const PAIR = 'source_namespace, source_workload, destination_namespace, destination_workload, reason, direction';
/** Hubble's "(other)" rows: the drops outside the kept pairs, never a pair of their own. */
const NOT_OTHER = 'source_workload!="(other)"';

/**
 * Drops per second by `by`, of the series matching the variables at either end. With the namespace at All the
 * "(other)" rows match too (their namespace is "(other)"), unless `pairsOnly`.
 */
function rate(by: string, pairsOnly = true): string {
  const end = (side: 'source' | 'destination') =>
    `rate(${SERIES}{${NODE}, ${DIRECTION}, ${REASON}${pairsOnly ? `, ${NOT_OTHER}` : ''}, ${side}_namespace=~"$namespace", ${side}_workload=~"$workload"}[$__rate_interval])`;
  return `sum${by ? ` by (${by})` : ''} (${end('source')} or ${end('destination')})`;
}

/** The mean of `expr` over the range's points, at its end, for those with drops. */
const meanOverRange = (expr: string) => `avg_over_time((${expr})[$__range:$__interval] @ end()) > 0`;

/**
 * Adds `source` and `destination` labels naming each end as the plugin does: "namespace/workload", either alone when
 * the other is empty (reserved:world has no namespace), "(not a workload)" when both are (an IP, labels context).
 */
function withEndNames(expr: string): string {
  let out = expr;
  for (const side of ['source', 'destination']) {
    out = `label_join(${out}, "${side}", "/", "${side}_namespace", "${side}_workload")`;
    out = `label_replace(${out}, "${side}", "\${1}", "${side}", "/?(.*?)/?")`;
    out = `label_replace(${out}, "${side}", "(not a workload)", "${side}", "")`;
  }
  return out;
}

const TOP = `${rate(PAIR)} and on (${PAIR}) topk(${TOP_PAIRS}, ${meanOverRange(rate(PAIR))})`;

export function prometheusWorkloadVariables(datasource: DatasourceRef): Json[] {
  // Either end of a pair: both label values as one label, through label_replace (query_result and a regex).
  const ends = (label: 'namespace' | 'workload', selector: (side: string) => string) =>
    `query_result(count by (${label}) (` +
    ['source', 'destination'].map((side) => `label_replace(${SERIES}{${NOT_OTHER}${selector(side)}}, "${label}", "\${1}", "${side}_${label}", "(.+)")`).join(' or ') +
    '))';
  return [
    queryVariable({
      name: 'namespace',
      label: 'Namespace',
      description: 'Namespaces at either end of the workload pairs Prometheus holds now (Hubble).',
      query: ends('namespace', () => ''),
      regex: '/namespace="([^"]+)"/',
      datasource,
      allValue: '.*',
    }),
    queryVariable({
      name: 'workload',
      label: 'Workload',
      description: 'Workloads at either end of the workload pairs Prometheus holds now, in the selected namespaces.',
      query: ends('workload', (side) => `, ${side}_namespace=~"$namespace"`),
      regex: '/workload="([^"]+)"/',
      datasource,
      allValue: '.*',
    }),
  ];
}

export function prometheusWorkloadsRow(datasource: DatasourceRef) {
  return [
    timeseries(
      {
        id: P.workloadPairs,
        title: 'Who is being dropped: top workload pairs',
        description:
          `Drops per second of the ${TOP_PAIRS} source → destination workload pairs with the highest mean drop rate over ` +
          'the range (`topk` over the range, fixed at its end), summed over the selected nodes, and the rest as "other ' +
          'pairs". The namespace and workload variables match either end of a pair. Series: ' +
          'ciliumscope_workload_dropped_packets_total (Hubble).',
        w: 24,
        h: 9,
        targets: [
          promTarget({
            refId: 'A',
            expr: withEndNames(TOP),
            legendFormat: '{{source}} → {{destination}} ({{reason}}, {{direction}})',
          }),
          promTarget({ refId: 'B', expr: `${rate('', false)} - (sum(${TOP}) or vector(0))`, legendFormat: 'other pairs' }),
        ],
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
          title: 'Who is being dropped: pairs by node',
          description:
            `The ${TABLE_ROWS} node × workload pairs with the highest mean drop rate over the range, and their share of ` +
            "the node's drops (every pair, reason and direction of the node, \"(other)\" rows included). The denying " +
            'policy is not in these series: the Cilium Scope dashboard shows it with Hubble Relay. Series: ' +
            'ciliumscope_workload_dropped_packets_total.',
          w: 24,
          h: 9,
          targets: [
            promTarget({ refId: 'A', expr: withEndNames(`topk(${TABLE_ROWS}, ${meanOverRange(rate(`node, ${PAIR}`))})`), instant: true }),
            promTarget({
              refId: 'B',
              expr: withEndNames(
                `topk(${TABLE_ROWS}, ${meanOverRange(rate(`node, ${PAIR}`))}) / on (node) group_left ` +
                  `avg_over_time((sum by (node) (rate(${SERIES}{${NODE}}[$__rate_interval])))[$__range:$__interval] @ end())`
              ),
              instant: true,
            }),
          ],
          transformations: [
            { id: 'merge', options: {} },
            {
              id: 'organize',
              options: {
                excludeByName: {
                  Time: true,
                  source_namespace: true,
                  source_workload: true,
                  destination_namespace: true,
                  destination_workload: true,
                },
                renameByName: {
                  node: 'Node',
                  source: 'Source',
                  destination: 'Destination',
                  reason: 'Reason',
                  direction: 'Direction',
                  'Value #A': 'Drop rate',
                  'Value #B': 'Share of node drops',
                },
                indexByName: { node: 0, source: 1, destination: 2, reason: 3, direction: 4, 'Value #A': 5, 'Value #B': 6 },
                includeByName: {},
              },
            },
          ],
          sortBy: [{ displayName: 'Drop rate', desc: true }],
          overrides: [
            overrideByName('Node', { 'custom.width': 110 }),
            overrideByName('Reason', { 'custom.width': 140 }),
            overrideByName('Direction', { 'custom.width': 95 }),
            overrideByName('Drop rate', { unit: 'pps', decimals: 2, 'custom.width': 110 }),
            overrideByName('Share of node drops', {
              unit: 'percentunit',
              decimals: 1,
              min: 0,
              max: 1,
              'custom.cellOptions': { type: 'gauge', mode: 'basic', valueDisplayMode: 'text' },
              color: { mode: 'continuous-BlPu' },
              'custom.width': 170,
            }),
          ],
        },
        datasource
      ),
      [nodeDrillDownLink(NODE_OF_ROW, false)],
      { id: 'byName', options: 'Node' }
    ),
  ];
}
