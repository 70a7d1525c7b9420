/**
 * The "Who is being dropped" row: the workload pairs behind the drops (Hubble), over time and as a node × pair table.
 * The plugin's table adds the policies that denied a pair (Hubble Relay) and the ports; Prometheus draws what
 * ciliumscope_workload_dropped_packets_total carries (pairs, reason and direction per node), with each end named as
 * the plugin names it. A pair matches the namespace and workload variables at either end: the plugin's filters do
 * so, and in PromQL one selector per end, joined with `or` (the same series from both ends is one). The anomaly
 * table links here (its `reasonLinks`).
 */
import { fixedColor, overrideByName } from '../grafana';
import { PANEL_IDS as P, ROW_IDS } from '../ids';
import { DIRECTION, NODE, REASON } from '../promql';
import { DROP_FILTERS, type ScopeTarget } from '../scope-query';
import type { FilterDef } from '../variables';
import type { RowDef } from './table';

/** Pairs the time series draws: a fixed number, so the panel stays light whatever the cluster. */
export const TOP_PAIRS = 10;
export const TABLE_ROWS = 20;

const NAMESPACE_VAR = '$namespace';
const WORKLOAD_VAR = '$workload';

const SERIES = 'ciliumscope_workload_dropped_packets_total';
const PAIR = 'source_namespace, source_workload, destination_namespace, destination_workload, reason, direction';
/** Hubble's "(other)" rows: the drops outside the kept pairs, never a pair of their own. */
const NOT_OTHER = 'source_workload!="(other)"';

const query = (q: Omit<ScopeTarget, 'refId' | 'queryType'>): ScopeTarget => ({
  refId: 'A',
  queryType: 'workloadDrops',
  node: DROP_FILTERS.node,
  namespace: NAMESPACE_VAR,
  workload: WORKLOAD_VAR,
  direction: DROP_FILTERS.direction,
  reason: DROP_FILTERS.reason,
  ...q,
});

/**
 * Drops per second by `by`, of the series matching the variables at either end. With the namespace at All the
 * "(other)" rows match too (their namespace is "(other)"), unless `pairsOnly`.
 */
function rate(by: string, pairsOnly = true): string {
  const end = (side: 'source' | 'destination') =>
    `rate(${SERIES}{${NODE}, ${DIRECTION}, ${REASON}${pairsOnly ? `, ${NOT_OTHER}` : ''}, ` +
    `${side}_namespace=~"$namespace", ${side}_workload=~"$workload"}[$__rate_interval])`;
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
const TOP_ROWS = `topk(${TABLE_ROWS}, ${meanOverRange(rate(`node, ${PAIR}`))})`;

/** Either end of a pair as one label (label_replace per end), for a query_result variable read with a regex. */
const ends = (label: 'namespace' | 'workload', selector: (side: string) => string) =>
  `query_result(count by (${label}) (` +
  ['source', 'destination']
    .map(
      (side) =>
        `label_replace(${SERIES}{${NOT_OTHER}${selector(side)}}, "${label}", "\${1}", "${side}_${label}", "(.+)")`
    )
    .join(' or ') +
  '))';

/** The row's namespace and workload variables: those with drops (Hubble), either end of a pair. */
export const WORKLOAD_FILTERS: FilterDef[] = [
  {
    name: 'namespace',
    label: 'Namespace',
    // The plugin lists the namespaces with drops in the range; query_result, those Prometheus holds now.
    description: {
      scope: 'Namespaces of workload pairs with drops in the range (Hubble); a pair matches at either end.',
      prometheus: 'Namespaces at either end of the workload pairs Prometheus holds now (Hubble).',
    },
    query: { scope: 'namespaces(dropped)', prometheus: ends('namespace', () => '') },
    regex: { prometheus: '/namespace="([^"]+)"/' },
  },
  {
    name: 'workload',
    label: 'Workload',
    description: {
      scope: 'Workloads with drops in the range, in the selected namespaces; a pair matches at either end.',
      prometheus: 'Workloads at either end of the workload pairs Prometheus holds now, in the selected namespaces.',
    },
    query: {
      scope: `workloads(${NAMESPACE_VAR})`,
      prometheus: ends('workload', (side) => `, ${side}_namespace=~"$namespace"`),
    },
    regex: { prometheus: '/workload="([^"]+)"/' },
  },
];

export const WHO_IS_DROPPED: RowDef = {
  id: ROW_IDS.workloads,
  title: 'Who is being dropped',
  panels: [
    {
      kind: 'timeseries',
      id: P.workloadPairs,
      title: 'Who is being dropped: top workload pairs',
      w: 24,
      h: 9,
      unit: 'pps',
      min: 0,
      fillOpacity: 0,
      legend: { asTable: true, placement: 'right', calcs: ['mean', 'max'], sortBy: 'Mean', sortDesc: true },
      overrides: [
        overrideByName('other pairs', {
          'custom.lineStyle': { fill: 'dash', dash: [10, 10] },
          color: fixedColor('text'),
        }),
      ],
      scope: {
        targets: [query({ topN: TOP_PAIRS, others: true })],
        source: 'Query: workloadDrops, view pairs.',
        // Says where the pairs come from, and that the ranking is the exporter's.
        differs: {
          description:
            `Drops per second of the ${TOP_PAIRS} source → destination workload pairs with the highest mean drop ` +
            'rate over the range, summed over the selected nodes, by reason and direction, and every other pair as ' +
            '"other pairs". From Hubble (the exporter needs --hubble-port, --hubble or --hubble-relay). The namespace ' +
            'and workload variables match either end of a pair.',
        },
      },
      prometheus: {
        targets: [
          {
            refId: 'A',
            expr: withEndNames(TOP),
            legendFormat: '{{source}} → {{destination}} ({{reason}}, {{direction}})',
          },
          { refId: 'B', expr: `${rate('', false)} - (sum(${TOP}) or vector(0))`, legendFormat: 'other pairs' },
        ],
        source: 'Series: ciliumscope_workload_dropped_packets_total (Hubble).',
        // Says how PromQL ranks the pairs.
        differs: {
          description:
            `Drops per second of the ${TOP_PAIRS} source → destination workload pairs with the highest mean drop rate ` +
            'over the range (`topk` over the range, fixed at its end), summed over the selected nodes, and the rest as ' +
            '"other pairs". The namespace and workload variables match either end of a pair.',
        },
      },
    },
    {
      kind: 'table',
      id: P.workloadTable,
      title: 'Who is being dropped: pairs by node',
      w: 24,
      h: 11,
      sortBy: [{ displayName: 'Drop rate', desc: true }],
      nodeLinks: 'column',
      scope: {
        targets: [query({ view: 'table', limit: TABLE_ROWS })],
        source: 'Query: workloadDrops, view table.',
        differs: {
          description:
            `The ${TABLE_ROWS} node × workload pairs that dropped most over the range: source → destination, reason, ` +
            'direction, the policies Hubble Relay named as denying them and the ports, the mean drop rate and its ' +
            "share of the node's drops. Policies need Hubble Relay (--hubble-relay); the panel says so when they are " +
            'not known. Click a node for its dashboard.',
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
      },
      prometheus: {
        targets: [
          { refId: 'A', expr: withEndNames(TOP_ROWS), instant: true },
          {
            refId: 'B',
            expr: withEndNames(
              `${TOP_ROWS} / on (node) group_left ` +
                `avg_over_time((sum by (node) (rate(${SERIES}{${NODE}}[$__rate_interval])))[$__range:$__interval] @ end())`
            ),
            instant: true,
          },
        ],
        source: 'Series: ciliumscope_workload_dropped_packets_total.',
        // The series carry no denying policy or ports: fewer columns, in a lower panel, merged from two queries.
        differs: {
          description:
            `The ${TABLE_ROWS} node × workload pairs with the highest mean drop rate over the range, and their share ` +
            "of the node's drops (every pair, reason and direction of the node, \"(other)\" rows included). The " +
            'denying policy is not in these series: the Cilium Scope dashboard shows it with Hubble Relay.',
          h: 9,
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
                indexByName: {
                  node: 0,
                  source: 1,
                  destination: 2,
                  reason: 3,
                  direction: 4,
                  'Value #A': 5,
                  'Value #B': 6,
                },
                includeByName: {},
              },
            },
          ],
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
      },
    },
  ],
};
