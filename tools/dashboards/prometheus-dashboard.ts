/**
 * The Cilium Scope dashboard on Prometheus: the same sections over the exporter's `ciliumscope_*` series, for
 * teams that keep history in Prometheus. What PromQL cannot give (pod names of unmanaged pods, the agent status
 * table with errors) is replaced by the nearest per-node series.
 */
import type { DashboardDefinition } from './envelope';
import {
  type DatasourceRef,
  type SizedPanel,
  color,
  withDataLinks,
  fixedColor,
  layout,
  overrideByName,
  overrideByRegexp,
  queryVariable,
  stat,
  steps,
  table,
  timeseries,
} from './grafana';
import { DASHBOARD_UIDS, DATASOURCE_UIDS, INPUTS, PANEL_IDS as P, ROW_IDS } from './ids';
import {
  anomalyBandOverrides,
  droppedOnRightAxis,
  dropReasonTableOverrides,
  dropReasonTableTransformations,
  endpointStateColours,
  podEndpointDeltaOverrides,
  rareEventBars,
  targetsUpDownOverrides,
  upDownMapping,
  NODE_DASHBOARD_LINK,
  NOT_READY_OVERRIDES,
  topNVariable,
} from './shared';
import { promTarget } from './prometheus-target';
import { DIRECTION, NODE, NOT_READY, REASON, STUCK_NOT_READY, otherNodes, overRange, revisionSkew, topNodes } from './promql';
import { prometheusOverviewRow } from './prometheus-overview';
import { NODE_OF_ROW, NODE_OF_SERIES, nodeDrillDownLink, pairsBehindLink } from './links';
import { prometheusWorkloadVariables, prometheusWorkloadsRow } from './prometheus-workloads';

const DS: DatasourceRef = { type: 'prometheus', uid: '${datasource}' };

/** Clicking a node's series (the top-N query, refId B) opens it in the node dashboard. */
const linkNodeSeries = (panel: SizedPanel) =>
  withDataLinks(panel, [nodeDrillDownLink(NODE_OF_SERIES, false)], { id: 'byFrameRefID', options: 'B' });

/** Clicking a table row's node opens it in the node dashboard. */
const linkNodeColumn = (panel: SizedPanel) =>
  withDataLinks(panel, [nodeDrillDownLink(NODE_OF_ROW, false)], { id: 'byName', options: 'Node' });

/** The legend of a per-node panel: a table on the right, the worst first. */
const TOP_LEGEND = { asTable: true, placement: 'right' as const, calcs: ['max', 'lastNotNull'], sortBy: 'Max', sortDesc: true };

/**
 * The queries of a per-node panel: A the cluster aggregate, B the $topn nodes of `perNode` by `rank` over the range,
 * C the rest combined (where a combination means something).
 */
function clusterAndTopNodes(o: {
  cluster: string;
  clusterLegend: string;
  perNode: string;
  rank: string;
  nodeLegend: string;
  others?: { how: 'sum' | 'max'; by?: string[]; legend: string };
}) {
  return [
    promTarget({ refId: 'A', expr: o.cluster, legendFormat: o.clusterLegend }),
    promTarget({ refId: 'B', expr: topNodes(o.perNode, o.rank), legendFormat: o.nodeLegend }),
    ...(o.others
      ? [
          promTarget({
            refId: 'C',
            expr: otherNodes(o.perNode, o.rank, o.others.how, o.others.by),
            legendFormat: o.others.legend,
          }),
        ]
      : []),
  ];
}



/**
 * A per-target series for the 50 targets most in need of attention: down first, then stale, then the slowest
 * scrapes (one score orders them: down weighs a million, stale a thousand, the scrape its seconds).
 */
function worstTargets(series: string): string {
  const target = (s: string) => `max by (node, component) (${s})`;
  const score =
    `(1 - ${target(`ciliumscope_target_up{${NODE}}`)}) * 1e6 + ${target(`ciliumscope_target_stale{${NODE}}`)} * 1e3 + ` +
    target(SCRAPE_DURATION);
  return `${target(series)} and on (node, component) topk(50, ${score})`;
}
const DELTA = `sum by (node) (ciliumscope_endpoint_pod_delta{${NODE}})`;
const FAILURES = `ciliumscope_endpoint_regenerations_total{${NODE}, outcome="failure"}`;
const IMPORT_ERRORS = `ciliumscope_policy_import_errors_total{${NODE}}`;
/** Agents and the operator: a node's Hubble metrics target is not one of the agent panels' targets. */
const SCRAPE_DURATION = `ciliumscope_target_scrape_duration_seconds{${NODE}, component=~"agent|operator"}`;

/**
 * The five drop series with the highest anomaly score over the range, fixed at the range's end (`@ end()`) so the
 * same series are drawn across the whole graph.
 */
const TOP_ANOMALIES = `topk(5, max_over_time(ciliumscope_drop_anomaly_score{${NODE}, ${DIRECTION}, ${REASON}}[$__range] @ end()))`;


function endpointsRow() {
  return [
    linkNodeSeries(
      timeseries(
        {
          id: P.endpointsByState,
          title: 'Endpoints not ready: cluster and top nodes',
          description:
            'Endpoints out of the ready state over the selected nodes (bold), and on the $topn nodes with the most at ' +
            'any time in the range (`topk` over the range, fixed at its end), the rest summed as "other nodes", and the ' +
            "endpoints stuck out of ready (dashed: each node's fewest over the last ten minutes). Click a node's line " +
            'for the node dashboard. Series: ciliumscope_endpoints{node,state}.',
          w: 12,
          h: 9,
          targets: clusterAndTopNodes({
            cluster: `sum(${NOT_READY}) or vector(0)`,
            clusterLegend: 'endpoints not ready',
            perNode: `sum by (node) (${NOT_READY})`,
            rank: overRange('max', `sum by (node) (${NOT_READY})`),
            nodeLegend: '{{node}} not ready',
            others: { how: 'sum', legend: 'other nodes not ready' },
          }).concat(promTarget({ refId: 'D', expr: STUCK_NOT_READY, legendFormat: 'stuck not ready (10 min)' })),
          unit: 'none',
          decimals: 0,
          min: 0,
          legend: TOP_LEGEND,
          overrides: NOT_READY_OVERRIDES,
        },
        DS
      )
    ),
    linkNodeSeries(
      timeseries(
        {
          id: P.podsVsEndpoints,
          title: 'Pods vs endpoints',
          description:
            'Pods Kubernetes runs on the selected nodes (Running or Pending, not hostNetwork), the pod endpoints their ' +
            'agents manage, and the delta (right axis; the cluster in red, then the $topn nodes with the largest delta ' +
            'in the range and the rest summed): above 0, pods Cilium does not manage. Series: ciliumscope_pods, ' +
            'ciliumscope_pod_endpoints, ciliumscope_endpoint_pod_delta.',
          w: 12,
          h: 9,
          targets: [
            promTarget({ refId: 'A', expr: `sum(ciliumscope_pods{${NODE}})`, legendFormat: 'pods' }),
            promTarget({
              refId: 'B',
              expr: topNodes(DELTA, overRange('max', `abs(${DELTA})`)),
              legendFormat: '{{node}} delta',
            }),
            promTarget({ refId: 'C', expr: `sum(ciliumscope_pod_endpoints{${NODE}})`, legendFormat: 'pod endpoints' }),
            promTarget({ refId: 'D', expr: `sum(ciliumscope_endpoint_pod_delta{${NODE}})`, legendFormat: 'delta' }),
            promTarget({
              refId: 'E',
              expr: otherNodes(DELTA, overRange('max', `abs(${DELTA})`)),
              legendFormat: 'other nodes delta',
            }),
          ],
          fillOpacity: 0,
          unit: 'none',
          decimals: 0,
          legend: { asTable: true, placement: 'right', calcs: ['lastNotNull'] },
          overrides: podEndpointDeltaOverrides(),
        },
        DS
      )
    ),
    linkNodeColumn(
    table(
      {
        id: P.unmanagedPods,
        title: 'Unmanaged pods per node',
        description:
          'Nodes with pods that run without a Cilium endpoint, and how many (the 50 with the most). Prometheus holds ' +
          'counts only: the node dashboard of the Cilium Scope datasource names the pods (click a node). ' +
          'Series: ciliumscope_unmanaged_pods{node}.',
        w: 6,
        h: 9,
        targets: [
          // The 50 nodes with the most: a cluster-wide failure stays a readable table.
          promTarget({
            refId: 'A',
            expr: `topk(50, sum by (node) (ciliumscope_unmanaged_pods{${NODE}}) > 0)`,
            instant: true,
          }),
        ],
        transformations: [
          {
            id: 'organize',
            options: {
              excludeByName: { Time: true },
              renameByName: { node: 'Node', Value: 'Unmanaged pods' },
              indexByName: {},
              includeByName: {},
            },
          },
        ],
        noValue: 'No unmanaged pods',
        sortBy: [{ displayName: 'Unmanaged pods', desc: true }],
        overrides: [
          overrideByName('Unmanaged pods', {
            decimals: 0,
            thresholds: { mode: 'absolute', steps: steps(color.ok, [1, color.bad]) },
            'custom.cellOptions': { type: 'color-text' },
          }),
        ],
      },
      DS
    )
    ),
    linkNodeColumn(
    table(
      {
        id: P.nodesWithoutAgent,
        title: 'Nodes without a Cilium agent',
        description:
          'Nodes where pods are scheduled but no Cilium agent runs or has ever answered: their pods get no Cilium ' +
          'policy or visibility. Series: ciliumscope_node_without_agent{node} (1 for such a node).',
        w: 6,
        h: 9,
        targets: [
          promTarget({
            refId: 'A',
            expr: `sum by (node) (ciliumscope_node_without_agent{${NODE}}) > 0`,
            instant: true,
          }),
        ],
        transformations: [
          {
            id: 'organize',
            options: {
              excludeByName: { Time: true, Value: true },
              renameByName: { node: 'Node' },
              indexByName: {},
              includeByName: {},
            },
          },
        ],
        noValue: 'Every node runs an agent',
      },
      DS
    )
    ),
    timeseries(
      {
        id: P.endpointStates,
        title: 'Endpoints by state',
        description:
          'Endpoints of the selected nodes by state, host and health endpoints included. Series: ciliumscope_endpoints{node,state}.',
        w: 12,
        h: 9,
        targets: [
          promTarget({ refId: 'A', expr: `sum by (state) (ciliumscope_endpoints{${NODE}})`, legendFormat: '{{state}}' }),
        ],
        unit: 'none',
        decimals: 0,
        min: 0,
        stack: true,
        legend: { asTable: true, placement: 'right', calcs: ['lastNotNull'] },
        overrides: endpointStateColours,
      },
      DS
    ),
    timeseries(
      {
        id: P.regenerationTime,
        title: 'Endpoint regeneration time (p50, p90, p99)',
        description:
          'Quantiles of endpoint regeneration time over the selected nodes. Above 10 s new pods wait noticeably; above ' +
          '30 s something is wrong. Series: ciliumscope_endpoint_regeneration_seconds_bucket.',
        w: 10,
        h: 9,
        targets: [0.5, 0.9, 0.99].map((quantile, i) =>
          promTarget({
            refId: String.fromCharCode(65 + i),
            expr: `histogram_quantile(${quantile}, sum by (le) (rate(ciliumscope_endpoint_regeneration_seconds_bucket{${NODE}}[$__rate_interval])))`,
            legendFormat: `p${quantile * 100}`,
          })
        ),
        unit: 's',
        min: 0,
        thresholds: steps(color.ok, [10, color.warn], [30, color.bad]),
        thresholdsStyle: 'dashed',
      },
      DS
    ),
    linkNodeSeries(
      timeseries(
        {
          id: P.regenerationFailures,
          title: 'Endpoint regeneration failures',
          description:
            'Failed regenerations per second over the selected nodes, and on the $topn nodes with the most failures in ' +
            'the range (the rest summed); a steady rate leaves endpoints on stale policy. ' +
            'Series: ciliumscope_endpoint_regenerations_total{outcome="failure"}.',
          w: 14,
          h: 9,
          targets: clusterAndTopNodes({
            cluster: `sum(rate(${FAILURES}[$__rate_interval]))`,
            clusterLegend: 'failed regenerations',
            perNode: `sum by (node) (rate(${FAILURES}[$__rate_interval]))`,
            rank: `sum by (node) (increase(${FAILURES}[$__range] @ end()))`,
            nodeLegend: '{{node}} failures',
            others: { how: 'sum', legend: 'other nodes failures' },
          }),
          ...rareEventBars('ops'),
          thresholds: steps(color.ok, [0.001, color.bad]),
          legend: { ...TOP_LEGEND, calcs: ['max'] },
        },
        DS
      )
    ),
  ];
}

function packetFlowRow() {
  const flow = (id: number, direction: 'INGRESS' | 'EGRESS') =>
    timeseries(
      {
        id,
        title: `${direction === 'INGRESS' ? 'Ingress' : 'Egress'}: forwarded vs dropped`,
        description:
          `Packets per second forwarded and dropped (${direction}) over the selected nodes; drops in red on the right axis. ` +
          'Series: ciliumscope_forwarded_packets_total, ciliumscope_dropped_packets_total.',
        w: 12,
        h: 8,
        targets: [
          promTarget({
            refId: 'A',
            expr: `sum(rate(ciliumscope_forwarded_packets_total{${NODE}, direction="${direction}"}[$__rate_interval]))`,
            legendFormat: 'forwarded',
          }),
          promTarget({
            refId: 'B',
            expr: `sum(rate(ciliumscope_dropped_packets_total{${NODE}, direction="${direction}"}[$__rate_interval]))`,
            legendFormat: 'dropped',
          }),
        ],
        unit: 'pps',
        min: 0,
        overrides: [droppedOnRightAxis('^dropped$')],
      },
      DS
    );
  const drops = `sum by (direction, reason) (rate(ciliumscope_dropped_packets_total{${NODE}, ${DIRECTION}, ${REASON}}[$__rate_interval]))`;
  return [
    flow(P.ingressFlow, 'INGRESS'),
    flow(P.egressFlow, 'EGRESS'),
    timeseries(
      {
        id: P.dropsByReason,
        title: 'Drops by reason',
        description:
          'Dropped packets per second by drop reason and direction. Series: ciliumscope_dropped_packets_total{node,direction,reason}.',
        w: 12,
        h: 9,
        targets: [promTarget({ refId: 'A', expr: drops, legendFormat: '{{reason}} ({{direction}})' })],
        unit: 'pps',
        min: 0,
        stack: true,
        legend: { asTable: true, calcs: ['mean', 'max'], sortBy: 'Mean', sortDesc: true },
      },
      DS
    ),
    table(
      {
        id: P.dropReasons,
        title: 'Drop reasons and what they mean',
        description:
          "Each drop series of the range with its mean and peak rate and the meaning of the reason (Cilium Scope's " +
          'drop-reason catalogue). Series: ciliumscope_dropped_packets_total.',
        w: 12,
        h: 9,
        targets: [promTarget({ refId: 'A', expr: drops, legendFormat: '{{reason}} ({{direction}})' })],
        transformations: dropReasonTableTransformations(),
        overrides: dropReasonTableOverrides(),
        noValue: 'No drops',
      },
      DS
    ),
    timeseries(
      {
        id: P.anomalyBands,
        title: 'Drop anomaly bands',
        description:
          "The detector's view of the five drop series that went furthest outside their band over the range (highest " +
          'anomaly score): rate (solid), robust baseline (dotted) and upper band (dashed). Pick a node, direction or ' +
          'reason to see others. Series: ciliumscope_drop_rate_baseline, ciliumscope_drop_rate_upper_band, ' +
          'ciliumscope_dropped_packets_total, ciliumscope_drop_anomaly_score.',
        w: 16,
        h: 9,
        targets: [
          promTarget({
            refId: 'A',
            expr: `sum by (node, direction, reason) (rate(ciliumscope_dropped_packets_total{${NODE}, ${DIRECTION}, ${REASON}}[$__rate_interval])) and on (node, direction, reason) ${TOP_ANOMALIES}`,
            legendFormat: '{{node}} {{reason}} ({{direction}}) rate',
          }),
          promTarget({
            refId: 'B',
            expr: `ciliumscope_drop_rate_baseline{${NODE}, ${DIRECTION}, ${REASON}} and on (node, direction, reason) ${TOP_ANOMALIES}`,
            legendFormat: '{{node}} {{reason}} ({{direction}}) baseline',
          }),
          promTarget({
            refId: 'C',
            expr: `ciliumscope_drop_rate_upper_band{${NODE}, ${DIRECTION}, ${REASON}} and on (node, direction, reason) ${TOP_ANOMALIES}`,
            legendFormat: '{{node}} {{reason}} ({{direction}}) upper band',
          }),
        ],
        unit: 'pps',
        min: 0,
        fillOpacity: 0,
        legend: { asTable: true, calcs: ['max', 'lastNotNull'], sortBy: 'Max', sortDesc: true },
        // The score is not drawn here (no query asks for it), so its override is left out.
        overrides: anomalyBandOverrides.filter((o) => o.matcher.options !== '.* score$'),
      },
      DS
    ),
    withDataLinks(linkNodeColumn(
    table(
      {
        id: P.anomalyScores,
        title: 'Drop series outside their band',
        description:
          'Drop series whose anomaly score is 1 or more right now (0 inside the band). Click a reason for the workload ' +
          'pairs behind it (Who is being dropped). Series: ciliumscope_drop_anomaly_score.',
        w: 8,
        h: 9,
        targets: [
          promTarget({
            refId: 'A',
            expr: `ciliumscope_drop_anomaly_score{${NODE}, ${DIRECTION}, ${REASON}} >= 1`,
            instant: true,
          }),
        ],
        transformations: [
          {
            id: 'organize',
            options: {
              excludeByName: { Time: true, __name__: true, instance: true, job: true },
              renameByName: { node: 'Node', direction: 'Direction', reason: 'Reason', Value: 'Score' },
              indexByName: { node: 0, direction: 1, reason: 2, Value: 3 },
              includeByName: {},
            },
          },
        ],
        sortBy: [{ displayName: 'Score', desc: true }],
        noValue: 'All drop series are inside their band',
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
      DS
    )
    ), [pairsBehindLink(DASHBOARD_UIDS.prometheus)], { id: 'byName', options: 'Reason' }),
    linkNodeColumn(
    table(
      {
        id: P.topDropNodes,
        title: 'Top nodes by drops',
        description:
          'The 10 nodes that dropped the most packets over the range. Series: ciliumscope_dropped_packets_total.',
        w: 24,
        h: 8,
        targets: [
          promTarget({
            refId: 'A',
            expr: `topk(10, sum by (node) (increase(ciliumscope_dropped_packets_total{${NODE}, ${DIRECTION}, ${REASON}}[$__range])))`,
            instant: true,
          }),
        ],
        transformations: [
          {
            id: 'organize',
            options: {
              excludeByName: { Time: true },
              renameByName: { node: 'Node', Value: 'Dropped packets' },
              indexByName: {},
              includeByName: {},
            },
          },
        ],
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
      DS
    )
    ),
  ];
}

function policyRow() {
  return [
    linkNodeSeries(
      timeseries(
        {
          id: P.policyRevision,
          title: 'Policy revision skew',
          description:
            'Policy changes a node has not applied that the most advanced node has, counted since the start of the ' +
            'range: the largest over the selected nodes, and the $topn nodes furthest behind. Revision levels differ ' +
            'between agents (each counts from its own start), so the increases are compared: an agent that restarts ' +
            'counts on from where it was. Series: ciliumscope_policy_max_revision{node}.',
          w: 12,
          h: 8,
          targets: [
            promTarget({
              refId: 'A',
              expr: `max(${revisionSkew()})`,
              legendFormat: 'largest revision skew',
            }),
            promTarget({
              refId: 'B',
              expr: topNodes(revisionSkew(), overRange('max', revisionSkew())),
              legendFormat: '{{node}} revision skew',
            }),
          ],
          // The skew sums a range of steps at every step: fewer points keep it cheap on a large cluster.
          maxDataPoints: 200,
          unit: 'none',
          decimals: 0,
          min: 0,
          thresholds: steps(color.ok, [1, color.bad]),
          thresholdsStyle: 'dashed',
          legend: TOP_LEGEND,
          overrides: [overrideByName('largest revision skew', { 'custom.lineWidth': 2, color: fixedColor(color.bad) })],
        },
        DS
      )
    ),
    linkNodeSeries(
      timeseries(
        {
          id: P.policyImportErrors,
          title: 'Policy import errors',
          description:
            'Failed policy imports within the rate window ending at each bar over the selected nodes, and on the $topn nodes with the most in ' +
            'the range (the rest summed); any error means a policy is not enforced on that node. ' +
            'Series: ciliumscope_policy_import_errors_total{node}.',
          w: 12,
          h: 8,
          targets: clusterAndTopNodes({
            cluster: `sum(increase(${IMPORT_ERRORS}[$__rate_interval]))`,
            clusterLegend: 'policy import errors',
            perNode: `sum by (node) (increase(${IMPORT_ERRORS}[$__rate_interval]))`,
            rank: `sum by (node) (increase(${IMPORT_ERRORS}[$__range] @ end()))`,
            nodeLegend: '{{node}} policy import errors',
            others: { how: 'sum', legend: 'other nodes policy import errors' },
          }),
          ...rareEventBars('count'),
          thresholds: steps(color.ok, [1, color.bad]),
          // One colour per node: a bar of one error reaches exactly the threshold, so threshold colours would draw it green.
          colorMode: 'palette-classic',
          legend: { ...TOP_LEGEND, calcs: ['max'], sortBy: 'Max' },
        },
        DS
      )
    ),
    linkNodeSeries(
      timeseries(
        {
          id: P.policiesPerNode,
          title: 'Policies per node',
          description:
            'Network policies loaded in the agents: the most and the fewest over the selected nodes, and the $topn ' +
            'nodes with the fewest in the range (`bottomk`). Every node should show the same number. ' +
            'Series: ciliumscope_policies{node}.',
          w: 12,
          h: 8,
          targets: [
            promTarget({ refId: 'A', expr: `max(ciliumscope_policies{${NODE}})`, legendFormat: 'policies (max over nodes)' }),
            promTarget({
              refId: 'B',
              expr: topNodes(
                `sum by (node) (ciliumscope_policies{${NODE}})`,
                `min by (node) (min_over_time(ciliumscope_policies{${NODE}}[$__range] @ end()))`,
                true
              ),
              legendFormat: '{{node}} policies',
            }),
            promTarget({ refId: 'C', expr: `min(ciliumscope_policies{${NODE}})`, legendFormat: 'policies (min over nodes)' }),
          ],
          unit: 'none',
          decimals: 0,
          legend: { ...TOP_LEGEND, calcs: ['min', 'lastNotNull'], sortBy: 'Min', sortDesc: false },
        },
        DS
      )
    ),
    timeseries(
      {
        id: P.enforcement,
        title: 'Policy enforcement status',
        description:
          'Endpoints by policy enforcement mode (none means no policy selects them). Series: ciliumscope_policy_enforcement_endpoints{node,enforcement}.',
        w: 12,
        h: 8,
        targets: [
          promTarget({
            refId: 'A',
            expr: `sum by (enforcement) (ciliumscope_policy_enforcement_endpoints{${NODE}})`,
            legendFormat: '{{enforcement}}',
          }),
        ],
        unit: 'none',
        decimals: 0,
        stack: true,
        overrides: [
          overrideByRegexp('none', { color: fixedColor('gray') }),
          overrideByRegexp('audit.*', { color: fixedColor(color.warn) }),
        ],
      },
      DS
    ),
  ];
}

function agentsRow() {
  return [
    stat(
      {
        id: P.targetsUp,
        title: 'Targets up / down',
        description:
          'Agents and operator whose last scrape succeeded, and those whose last scrape failed. Series: ciliumscope_target_up.',
        w: 6,
        h: 8,
        targets: [
          promTarget({
            refId: 'A',
            expr: `count(ciliumscope_target_up{${NODE}} == 1) or vector(0)`,
            legendFormat: 'targets up',
          }),
          promTarget({
            refId: 'B',
            expr: `count(ciliumscope_target_up{${NODE}} == 0) or vector(0)`,
            legendFormat: 'targets down',
          }),
        ],
        calc: 'lastNotNull',
        colorMode: 'background',
        graphMode: 'area',
        textMode: 'value_and_name',
        decimals: 0,
        overrides: targetsUpDownOverrides(),
      },
      DS
    ),
    linkNodeColumn(
    table(
      {
        id: P.agents,
        title: 'Agents',
        description:
          'The 50 targets most in need of attention (down, stale, then the slowest scrapes) with their state, ' +
          'staleness and last scrape duration; click a node for its dashboard. Series: ciliumscope_target_up, ' +
          'ciliumscope_target_stale, ciliumscope_target_scrape_duration_seconds.',
        w: 12,
        h: 8,
        targets: [
          promTarget({ refId: 'A', expr: worstTargets(`ciliumscope_target_up{${NODE}}`), instant: true }),
          promTarget({ refId: 'B', expr: worstTargets(`ciliumscope_target_stale{${NODE}}`), instant: true }),
          promTarget({ refId: 'C', expr: worstTargets(SCRAPE_DURATION), instant: true }),
        ],
        transformations: [
          { id: 'merge', options: {} },
          {
            id: 'organize',
            options: {
              excludeByName: { Time: true },
              renameByName: {
                node: 'Node',
                component: 'Component',
                'Value #A': 'Up',
                'Value #B': 'Stale',
                'Value #C': 'Scrape duration',
              },
              indexByName: { node: 0, component: 1, 'Value #A': 2, 'Value #B': 3, 'Value #C': 4 },
              includeByName: {},
            },
          },
        ],
        sortBy: [{ displayName: 'Up', desc: false }],
        overrides: [
          overrideByName('Up', {
            mappings: [upDownMapping()],
            'custom.cellOptions': { type: 'color-background', mode: 'basic' },
          }),
          overrideByName('Stale', {
            mappings: [
              {
                type: 'value',
                options: {
                  '0': { text: 'fresh', color: color.ok, index: 0 },
                  '1': { text: 'stale', color: color.warn, index: 1 },
                },
              },
            ],
            'custom.cellOptions': { type: 'color-text' },
          }),
          overrideByName('Scrape duration', { unit: 's', decimals: 3 }),
        ],
      },
      DS
    )
    ),
    table(
      {
        id: P.versions,
        title: 'Cilium versions',
        description: 'How many agents run each Cilium version. Series: ciliumscope_agent_info{node,version}.',
        w: 6,
        h: 8,
        targets: [
          promTarget({ refId: 'A', expr: `count by (version) (ciliumscope_agent_info{${NODE}})`, instant: true }),
        ],
        transformations: [
          {
            id: 'organize',
            options: {
              excludeByName: { Time: true },
              renameByName: { version: 'Cilium version', Value: 'Agents' },
              indexByName: {},
              includeByName: {},
            },
          },
        ],
        sortBy: [{ displayName: 'Agents', desc: true }],
      },
      DS
    ),
    linkNodeSeries(
      timeseries(
        {
          id: P.scrapeDuration,
          title: 'Scrape duration: slowest targets',
          description:
            "Time the exporter needs to fetch and parse a target's page: the slowest agent and operator scrape of each " +
            'step, the $topn slowest targets of the range and the slowest of the others. ' +
            'Series: ciliumscope_target_scrape_duration_seconds.',
          w: 12,
          h: 8,
          targets: clusterAndTopNodes({
            cluster: `max by (component) (${SCRAPE_DURATION})`,
            clusterLegend: 'slowest {{component}} scrape',
            perNode: `max by (node, component) (${SCRAPE_DURATION})`,
            rank: `max by (node) (max_over_time(${SCRAPE_DURATION}[$__range] @ end()))`,
            nodeLegend: '{{node}} {{component}}',
            others: { how: 'max', by: ['component'], legend: 'other nodes (slowest) {{component}}' },
          }),
          unit: 's',
          min: 0,
          thresholds: steps(color.ok, [5, color.warn], [10, color.bad]),
          thresholdsStyle: 'dashed',
          legend: TOP_LEGEND,
        },
        DS
      )
    ),
    timeseries(
      {
        id: P.scrapeErrors,
        title: 'Scrape errors',
        description:
          'Failed scrapes per second by target and kind (timeout, connect, http, too-large, decode, parse). ' +
          'Series: ciliumscope_target_scrape_errors_total{node,component,kind}.',
        w: 12,
        h: 8,
        targets: [
          promTarget({
            refId: 'A',
            expr: `sum by (node, component, kind) (rate(ciliumscope_target_scrape_errors_total{${NODE}}[$__rate_interval])) > 0`,
            legendFormat: '{{node}} {{component}} {{kind}}',
          }),
        ],
        unit: 'ops',
        min: 0,
        drawStyle: 'bars',
        fillOpacity: 80,
        colorMode: 'palette-classic',
      },
      DS
    ),
  ];
}

export function prometheusDashboard(): DashboardDefinition {
  const variable = (name: string, label: string, query: string, description: string) =>
    queryVariable({ name, label, description, query, datasource: DS, allValue: '.*' });
  return {
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
    variables: [
      variable(
        'node',
        'Node',
        'label_values(ciliumscope_target_up{component="agent"}, node)',
        'Kubernetes nodes the exporter scrapes.'
      ),
      variable(
        'direction',
        'Direction',
        'label_values(ciliumscope_dropped_packets_total, direction)',
        'Traffic direction of drops.'
      ),
      variable(
        'reason',
        'Drop reason',
        'label_values(ciliumscope_dropped_packets_total, reason)',
        'Drop reasons reported in the range.'
      ),
      ...prometheusWorkloadVariables(DS),
      topNVariable(),
    ],
    annotations: [
      {
        name: 'Policy import errors',
        datasource: DS,
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
      {
        title: 'Cilium Scope (datasource)',
        type: 'dashboards',
        tags: ['ciliumscope'],
        asDropdown: false,
        icon: 'dashboard',
        tooltip: 'Named unmanaged pods, drop reasons with meaning and anomaly bands from the Cilium Scope datasource',
        includeVars: true,
        keepTime: true,
        targetBlank: false,
        url: '',
      },
      NODE_DASHBOARD_LINK,
    ],
    panels: layout([
      { id: ROW_IDS.overview, title: 'Overview', panels: prometheusOverviewRow(DS) },
      { id: ROW_IDS.endpoints, title: 'Endpoints', panels: endpointsRow() },
      { id: ROW_IDS.packetFlow, title: 'Packet flow', panels: packetFlowRow() },
      { id: ROW_IDS.workloads, title: 'Who is being dropped', panels: prometheusWorkloadsRow(DS) },
      { id: ROW_IDS.policy, title: 'Policy', panels: policyRow() },
      { id: ROW_IDS.agents, title: 'Agents', panels: agentsRow() },
    ]),
  };
}
