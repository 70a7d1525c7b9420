/**
 * The Cilium Scope dashboard on Prometheus: the same sections over the exporter's `ciliumscope_*` series, for
 * teams that keep history in Prometheus. What PromQL cannot give (pod names of unmanaged pods, the agent status
 * table with errors) is replaced by the nearest per-node series.
 */
import type { DashboardDefinition } from './envelope';
import {
  type DatasourceRef,
  type Json,
  color,
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
  targetsUpDownOverrides,
  upDownMapping,
} from './shared';

const DS: DatasourceRef = { type: 'prometheus', uid: '${datasource}' };

const NODE = 'node=~"$node"';
const DIRECTION = 'direction=~"$direction"';
const REASON = 'reason=~"$reason"';

/**
 * The five drop series with the highest anomaly score over the range, fixed at the range's end (`@ end()`) so the
 * same series are drawn across the whole graph.
 */
const TOP_ANOMALIES = `topk(5, max_over_time(ciliumscope_drop_anomaly_score{${NODE}, ${DIRECTION}, ${REASON}}[$__range] @ end()))`;

interface PromTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  /** A table of the latest values instead of a range. */
  instant?: boolean;
}

/** A Prometheus panel query. Every expression here is checked with promtool by the dashboard tests. */
export function promTarget(t: PromTarget): Json {
  return {
    refId: t.refId,
    expr: t.expr,
    legendFormat: t.legendFormat ?? '__auto',
    range: !t.instant,
    instant: Boolean(t.instant),
    format: t.instant ? 'table' : 'time_series',
    editorMode: 'code',
  };
}

function endpointsRow() {
  return [
    timeseries(
      {
        id: P.endpointsByState,
        title: 'Endpoints by state per node',
        description:
          'Endpoints each agent manages by state; host and health endpoints included. Series: ciliumscope_endpoints{node,state}.',
        w: 12,
        h: 9,
        targets: [
          promTarget({
            refId: 'A',
            expr: `sum by (node, state) (ciliumscope_endpoints{${NODE}})`,
            legendFormat: '{{node}} {{state}}',
          }),
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
        id: P.podsVsEndpoints,
        title: 'Pods vs endpoints per node',
        description:
          'Pods Kubernetes runs on each node (Running or Pending, not hostNetwork), the pod endpoints the agent manages, ' +
          'and their delta (red, right axis): above 0, pods Cilium does not manage. Series: ciliumscope_pods, ' +
          'ciliumscope_pod_endpoints, ciliumscope_endpoint_pod_delta.',
        w: 12,
        h: 9,
        targets: [
          promTarget({ refId: 'A', expr: `sum by (node) (ciliumscope_pods{${NODE}})`, legendFormat: '{{node}} pods' }),
          promTarget({
            refId: 'B',
            expr: `sum by (node) (ciliumscope_pod_endpoints{${NODE}})`,
            legendFormat: '{{node}} pod endpoints',
          }),
          promTarget({
            refId: 'C',
            expr: `sum by (node) (ciliumscope_endpoint_pod_delta{${NODE}})`,
            legendFormat: '{{node}} delta',
          }),
        ],
        fillOpacity: 0,
        unit: 'none',
        decimals: 0,
        legend: { asTable: true, placement: 'right', calcs: ['lastNotNull'] },
        overrides: podEndpointDeltaOverrides(),
      },
      DS
    ),
    table(
      {
        id: P.unmanagedPods,
        title: 'Unmanaged pods per node',
        description:
          'Nodes with pods that run without a Cilium endpoint, and how many. Prometheus holds counts only: the Cilium ' +
          'Scope datasource dashboard names the pods. Series: ciliumscope_unmanaged_pods{node}.',
        w: 6,
        h: 9,
        targets: [
          promTarget({ refId: 'A', expr: `sum by (node) (ciliumscope_unmanaged_pods{${NODE}}) > 0`, instant: true }),
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
    ),
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
    ),
    timeseries(
      {
        id: P.regenerationTime,
        title: 'Endpoint regeneration time (p50, p90, p99)',
        description:
          'Quantiles of endpoint regeneration time over the selected nodes. Above 10 s new pods wait noticeably; above ' +
          '30 s something is wrong. Series: ciliumscope_endpoint_regeneration_seconds_bucket.',
        w: 6,
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
    timeseries(
      {
        id: P.regenerationFailures,
        title: 'Endpoint regeneration failures',
        description:
          'Failed regenerations per second by node; a steady rate leaves endpoints on stale policy. ' +
          'Series: ciliumscope_endpoint_regenerations_total{outcome="failure"}.',
        w: 6,
        h: 9,
        targets: [
          promTarget({
            refId: 'A',
            expr: `sum by (node) (rate(ciliumscope_endpoint_regenerations_total{${NODE}, outcome="failure"}[$__rate_interval]))`,
            legendFormat: '{{node}}',
          }),
        ],
        // Rare events: about 100 bars over the range keep each one visible.
        maxDataPoints: 100,
        unit: 'ops',
        min: 0,
        drawStyle: 'bars',
        fillOpacity: 80,
        thresholds: steps(color.ok, [0.001, color.bad]),
        colorMode: 'thresholds',
      },
      DS
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
    table(
      {
        id: P.anomalyScores,
        title: 'Drop series outside their band',
        description:
          'Drop series whose anomaly score is 1 or more right now (0 inside the band). Series: ciliumscope_drop_anomaly_score.',
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
    ),
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
    ),
  ];
}

function policyRow() {
  return [
    timeseries(
      {
        id: P.policiesPerNode,
        title: 'Policies per node',
        description:
          'Network policies loaded in each agent; every node should show the same number. Series: ciliumscope_policies{node}.',
        w: 6,
        h: 8,
        targets: [
          promTarget({ refId: 'A', expr: `sum by (node) (ciliumscope_policies{${NODE}})`, legendFormat: '{{node}}' }),
        ],
        unit: 'none',
        decimals: 0,
      },
      DS
    ),
    timeseries(
      {
        id: P.policyRevision,
        title: 'Policy revision per node',
        description:
          "Each agent's policy revision, which steps up with every policy change it applies. Agents count from their own " +
          'start, so levels differ between nodes; a line that stays flat while the others step up belongs to an agent that ' +
          'did not apply the change. Series: ciliumscope_policy_max_revision{node}.',
        w: 6,
        h: 8,
        targets: [
          promTarget({
            refId: 'A',
            expr: `max by (node) (ciliumscope_policy_max_revision{${NODE}})`,
            legendFormat: '{{node}}',
          }),
        ],
        unit: 'none',
        decimals: 0,
      },
      DS
    ),
    timeseries(
      {
        id: P.policyImportErrors,
        title: 'Policy import errors',
        description:
          'Failed policy imports per node; any error means a policy is not enforced on that node. ' +
          'Series: ciliumscope_policy_import_errors_total{node}.',
        w: 6,
        h: 8,
        targets: [
          promTarget({
            refId: 'A',
            expr: `sum by (node) (increase(ciliumscope_policy_import_errors_total{${NODE}}[$__rate_interval]))`,
            legendFormat: '{{node}}',
          }),
        ],
        // Rare events: about 100 bars over the range keep each one visible.
        maxDataPoints: 100,
        unit: 'none',
        decimals: 0,
        min: 0,
        drawStyle: 'bars',
        fillOpacity: 80,
        thresholds: steps(color.ok, [1, color.bad]),
        // One colour per node: a bar of one error reaches exactly the threshold, so threshold colours would draw it green.
        colorMode: 'palette-classic',
      },
      DS
    ),
    timeseries(
      {
        id: P.enforcement,
        title: 'Policy enforcement status',
        description:
          'Endpoints by policy enforcement mode (none means no policy selects them). Series: ciliumscope_policy_enforcement_endpoints{node,enforcement}.',
        w: 6,
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
    table(
      {
        id: P.agents,
        title: 'Agents',
        description:
          'Every target with its state, staleness and last scrape duration. Series: ciliumscope_target_up, ' +
          'ciliumscope_target_stale, ciliumscope_target_scrape_duration_seconds.',
        w: 12,
        h: 8,
        targets: [
          promTarget({ refId: 'A', expr: `max by (node, component) (ciliumscope_target_up{${NODE}})`, instant: true }),
          promTarget({
            refId: 'B',
            expr: `max by (node, component) (ciliumscope_target_stale{${NODE}})`,
            instant: true,
          }),
          promTarget({
            refId: 'C',
            expr: `max by (node, component) (ciliumscope_target_scrape_duration_seconds{${NODE}})`,
            instant: true,
          }),
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
    timeseries(
      {
        id: P.scrapeDuration,
        title: 'Scrape duration per target',
        description:
          "Time the exporter needs to fetch and parse each target's page. Series: ciliumscope_target_scrape_duration_seconds.",
        w: 12,
        h: 8,
        targets: [
          promTarget({
            refId: 'A',
            expr: `max by (node, component) (ciliumscope_target_scrape_duration_seconds{${NODE}})`,
            legendFormat: '{{node}} {{component}}',
          }),
        ],
        unit: 's',
        min: 0,
        thresholds: steps(color.ok, [5, color.warn], [10, color.bad]),
        thresholdsStyle: 'dashed',
      },
      DS
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
    ],
    panels: layout([
      { id: ROW_IDS.endpoints, title: 'Endpoints', panels: endpointsRow() },
      { id: ROW_IDS.packetFlow, title: 'Packet flow', panels: packetFlowRow() },
      { id: ROW_IDS.policy, title: 'Policy', panels: policyRow() },
      { id: ROW_IDS.agents, title: 'Agents', panels: agentsRow() },
    ]),
  };
}
