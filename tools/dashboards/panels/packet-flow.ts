/** The Packet flow row: forwarded vs dropped per direction, drops by reason and their meaning, anomaly bands. */
import { color, overrideByName, steps } from '../grafana';
import { PANEL_IDS as P, ROW_IDS } from '../ids';
import { DROPS, DROP_SELECTOR, NODE, TOP_ANOMALIES } from '../promql';
import { DROP_FILTERS, NODE_VAR } from '../scope-query';
import {
  anomalyBandOverrides,
  droppedOnRightAxis,
  dropReasonTableOverrides,
  dropReasonTableTransformations,
  instantTableColumns,
} from '../shared';
import type { PanelDef, RowDef } from './table';

function flow(id: number, direction: 'INGRESS' | 'EGRESS'): PanelDef {
  const rate = (series: string) => `sum(rate(${series}{${NODE}, direction="${direction}"}[$__rate_interval]))`;
  return {
    kind: 'timeseries',
    id,
    title: `${direction === 'INGRESS' ? 'Ingress' : 'Egress'}: forwarded vs dropped`,
    description:
      `Packets per second the datapath forwarded and dropped in the ${direction.toLowerCase()} direction over the ` +
      'selected nodes. Drops are drawn in red on their own (right) axis so a handful stays visible next to millions ' +
      'of forwarded packets.',
    w: 12,
    h: 8,
    unit: 'pps',
    min: 0,
    // The plugin's series are "dropped ingress", "<node> dropped egress", ...; Prometheus's "dropped".
    overrides: [droppedOnRightAxis('^dropped.*')],
    scope: {
      targets: [{ refId: 'A', queryType: 'packetFlow', direction, node: NODE_VAR }],
      source: `Query: packetFlow, direction ${direction}.`,
    },
    prometheus: {
      targets: [
        { refId: 'A', expr: rate('ciliumscope_forwarded_packets_total'), legendFormat: 'forwarded' },
        { refId: 'B', expr: rate('ciliumscope_dropped_packets_total'), legendFormat: 'dropped' },
      ],
      source: 'Series: ciliumscope_forwarded_packets_total, ciliumscope_dropped_packets_total.',
    },
  };
}

const DROPS_QUERY = { refId: 'A', queryType: 'drops', ...DROP_FILTERS } as const;
/** Drop rates by direction and reason. */
const DROPS_TARGET = {
  refId: 'A',
  expr: `sum by (direction, reason) (rate(${DROPS}[$__rate_interval]))`,
  legendFormat: '{{reason}} ({{direction}})',
};
/** `series` of the five drop series with the highest anomaly score over the range. */
const topAnomalies = (series: string) => `${series} and on (node, direction, reason) ${TOP_ANOMALIES}`;
const DROP_SERIES = '{{node}} {{reason}} ({{direction}})';

export const PACKET_FLOW: RowDef = {
  id: ROW_IDS.packetFlow,
  title: 'Packet flow',
  panels: [
    flow(P.ingressFlow, 'INGRESS'),
    flow(P.egressFlow, 'EGRESS'),
    {
      kind: 'timeseries',
      id: P.dropsByReason,
      title: 'Drops by reason',
      description:
        "Dropped packets per second by the agent's drop reason and direction. The table beside it says what each " +
        'reason means. Filter with the direction and reason variables.',
      w: 12,
      h: 9,
      unit: 'pps',
      min: 0,
      stack: true,
      legend: { asTable: true, calcs: ['mean', 'max'], sortBy: 'Mean', sortDesc: true },
      scope: { targets: [DROPS_QUERY], source: 'Query: drops.' },
      prometheus: {
        targets: [DROPS_TARGET],
        source: 'Series: ciliumscope_dropped_packets_total{node,direction,reason}.',
      },
    },
    {
      kind: 'table',
      id: P.dropReasons,
      title: 'Drop reasons and what they mean',
      description:
        "Each drop series of the range with its mean and peak rate and the meaning of the reason, from Cilium Scope's " +
        'drop-reason catalogue (the same text as GET /api/v1/drop-reasons).',
      w: 12,
      h: 9,
      transformations: dropReasonTableTransformations(),
      overrides: dropReasonTableOverrides(),
      noValue: 'No drops',
      scope: { targets: [DROPS_QUERY], source: 'Query: drops, reduced to one row per series.' },
      prometheus: { targets: [DROPS_TARGET], source: 'Series: ciliumscope_dropped_packets_total.' },
    },
    {
      kind: 'timeseries',
      id: P.anomalyBands,
      title: 'Drop anomaly bands',
      description:
        "The drop series furthest outside their expected band (up to 5): the rate (solid), the detector's baseline " +
        '(dotted: a weighted mean over about an hour) and upper band (dashed: baseline + k spreads learnt over a day, ' +
        'at least baseline·(1+margin), a floor, and what is typical for the same reason on other nodes). A rate above ' +
        'its band for several minutes, with enough packets, is what the drop-anomaly alert pages on.',
      w: 13,
      h: 9,
      unit: 'pps',
      min: 0,
      fillOpacity: 0,
      legend: { asTable: true, calcs: ['max', 'lastNotNull'], sortBy: 'Max', sortDesc: true },
      overrides: anomalyBandOverrides,
      scope: {
        targets: [{ refId: 'A', queryType: 'anomaly', view: 'bands', ...DROP_FILTERS, limit: 5 }],
        source: 'Query: anomaly, view bands.',
      },
      prometheus: {
        targets: [
          {
            refId: 'A',
            expr: topAnomalies(`sum by (node, direction, reason) (rate(${DROPS}[$__rate_interval]))`),
            legendFormat: `${DROP_SERIES} rate`,
          },
          {
            refId: 'B',
            expr: topAnomalies(`ciliumscope_drop_rate_baseline${DROP_SELECTOR}`),
            legendFormat: `${DROP_SERIES} baseline`,
          },
          {
            refId: 'C',
            expr: topAnomalies(`ciliumscope_drop_rate_upper_band${DROP_SELECTOR}`),
            legendFormat: `${DROP_SERIES} upper band`,
          },
        ],
        source:
          'Series: ciliumscope_drop_rate_baseline, ciliumscope_drop_rate_upper_band, ' +
          'ciliumscope_dropped_packets_total, ciliumscope_drop_anomaly_score.',
        differs: {
          // Its table beside it has four columns, not eight.
          w: 16,
          // The score is not drawn here (no query asks for it), so its override is left out.
          overrides: anomalyBandOverrides.filter((o) => o.matcher.options !== '.* score$'),
        },
      },
    },
    {
      kind: 'table',
      id: P.anomalyScores,
      title: 'Drop series outside their band',
      w: 11,
      h: 9,
      sortBy: [{ displayName: 'Score', desc: true }],
      noValue: 'All drop series are inside their band',
      nodeLinks: 'column',
      reasonLinks: true,
      scope: {
        targets: [{ refId: 'A', queryType: 'anomaly', view: 'scores', ...DROP_FILTERS, limit: 50 }],
        source: 'Query: anomaly, view scores.',
        differs: {
          description:
            'Node, direction and reason of every drop series whose current rate is above its band, highest score ' +
            'first (score 0 inside the band, 1 or more above it). Series still warming up are marked. Click a reason ' +
            'for the workload pairs behind it (Who is being dropped), a node for its dashboard.',
          // Sized so that all eight columns fit; the baseline stays in the bands panel beside it.
          transformations: [
            {
              id: 'organize',
              options: { excludeByName: { Baseline: true }, indexByName: {}, renameByName: {}, includeByName: {} },
            },
          ],
          overrides: [
            overrideByName('Score', {
              thresholds: { mode: 'absolute', steps: steps(color.ok, [1, color.bad]) },
              'custom.cellOptions': { type: 'color-background', mode: 'basic' },
              'custom.width': 90,
            }),
            overrideByName('Node', { 'custom.width': 85 }),
            overrideByName('Direction', { 'custom.width': 90 }),
            overrideByName('Rate', { 'custom.width': 85 }),
            overrideByName('Upper band', { 'custom.width': 115 }),
            overrideByName('Warming up', {
              mappings: [
                {
                  type: 'value',
                  options: {
                    true: { text: 'warming up', color: color.warn, index: 0 },
                    false: { text: '', index: 1 },
                  },
                },
              ],
              'custom.cellOptions': { type: 'color-text' },
              'custom.width': 100,
            }),
          ],
        },
      },
      prometheus: {
        targets: [
          {
            refId: 'A',
            expr: `ciliumscope_drop_anomaly_score${DROP_SELECTOR} >= 1`,
            instant: true,
          },
        ],
        source: 'Series: ciliumscope_drop_anomaly_score.',
        // Prometheus has the score only: four columns (no rate, band or warm-up).
        differs: {
          description:
            'Drop series whose anomaly score is 1 or more right now (0 inside the band). Click a reason for the ' +
            'workload pairs behind it (Who is being dropped).',
          w: 8,
          transformations: [
            instantTableColumns(
              { node: 'Node', direction: 'Direction', reason: 'Reason', Value: 'Score' },
              { exclude: ['__name__', 'instance', 'job'], index: { node: 0, direction: 1, reason: 2, Value: 3 } }
            ),
          ],
          overrides: [
            overrideByName('Score', {
              decimals: 2,
              thresholds: { mode: 'absolute', steps: steps(color.ok, [1, color.bad]) },
              'custom.cellOptions': { type: 'color-background', mode: 'basic' },
              'custom.width': 90,
            }),
            overrideByName('Node', { 'custom.width': 90 }),
            overrideByName('Direction', { 'custom.width': 95 }),
          ],
        },
      },
    },
    {
      kind: 'table',
      id: P.topDropNodes,
      title: 'Top nodes by drops',
      w: 24,
      h: 8,
      nodeLinks: 'column',
      scope: {
        targets: [{ refId: 'A', queryType: 'drops', view: 'topNodes', ...DROP_FILTERS, limit: 10 }],
        source: 'Query: drops, view topNodes.',
        differs: {
          description:
            'The nodes that dropped the most packets over the range, with their main reason and its share. A node ' +
            'far above the others for one reason points at that node (policy not yet applied, a broken route, a full ' +
            'map).',
          sortBy: [{ displayName: 'Drop rate', desc: true }],
          overrides: [
            // The gauge's scale is this column's own range (fieldMinMax); by default Grafana takes the range of every
            // number in the table, where the packet counts dwarf the rates.
            overrideByName('Drop rate', {
              'custom.cellOptions': { type: 'gauge', mode: 'basic', valueDisplayMode: 'text' },
              color: { mode: 'continuous-YlRd' },
              fieldMinMax: true,
              min: 0,
            }),
            overrideByName('Top reason share', {
              'custom.cellOptions': { type: 'gauge', mode: 'basic', valueDisplayMode: 'text' },
              color: { mode: 'continuous-BlPu' },
            }),
          ],
        },
      },
      prometheus: {
        targets: [
          {
            refId: 'A',
            expr: `topk(10, sum by (node) (increase(${DROPS}[$__range])))`,
            instant: true,
          },
        ],
        source: 'Series: ciliumscope_dropped_packets_total.',
        // PromQL gives each node's count; its main reason would take a query per node.
        differs: {
          description: 'The 10 nodes that dropped the most packets over the range.',
          transformations: [instantTableColumns({ node: 'Node', Value: 'Dropped packets' })],
          sortBy: [{ displayName: 'Dropped packets', desc: true }],
          overrides: [
            overrideByName('Dropped packets', {
              unit: 'short',
              decimals: 0,
              'custom.cellOptions': { type: 'gauge', mode: 'basic', valueDisplayMode: 'text' },
              color: { mode: 'continuous-YlRd' },
            }),
          ],
        },
      },
    },
  ],
};
