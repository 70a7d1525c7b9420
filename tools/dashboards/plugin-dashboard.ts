/**
 * The Cilium Scope dashboard on the plugin's datasource: what Prometheus cannot show well (named unmanaged pods,
 * drop reasons with their meaning, anomaly bands, agent status) with per-node drill-down. Queries are the
 * contract's ScopeQuery, so a query type or view the exporter does not know fails to compile here.
 */
import type { ScopeQuery } from '../../src/contract';
import type { DashboardDefinition } from './envelope';
import {
  type DatasourceRef,
  type Json,
  type SizedPanel,
  color,
  customVariable,
  fixedColor,
  layout,
  overrideByName,
  overrideByRegexp,
  queryVariable,
  stat,
  steps,
  table,
  timeseries,
  withDataLinks,
} from './grafana';
import { DASHBOARD_UIDS, DATASOURCE_UIDS, INPUTS, PANEL_IDS as P, PLUGIN_ID, ROW_IDS, TOP_N } from './ids';
import { NODE_OF_ROW, NODE_OF_SERIES, NODE_SERIES_FIELDS, nodeDrillDownLink, pairsBehindLink } from './links';
import { pluginOverviewRow } from './plugin-overview';
import { pluginWorkloadsRow, workloadVariables } from './plugin-workloads';
import {
  DIRECTION_VAR,
  NODE_VAR,
  REASON_VAR,
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

const DS: DatasourceRef = { type: PLUGIN_ID, uid: '${datasource}' };

/** The Cilium Scope datasource of the plugin's dashboards: an import input, or the provisioned one. */
export const SCOPE_DATASOURCE: DashboardDefinition['datasource'] = {
  pluginId: PLUGIN_ID,
  pluginName: 'Cilium Scope',
  input: INPUTS.scope,
  provisionedUid: DATASOURCE_UIDS.scope,
  provisionedName: 'Cilium Scope',
};

/** A panel query: the contract's query as Grafana stores it; topN may be the dashboard's variable. */
type PanelQuery = Omit<ScopeQuery, 'topN'> & { topN?: number | typeof TOP_N_VAR };
const q = (query: PanelQuery): Json => ({ ...query });

const TOP_N_VAR = `$${TOP_N.variable}` as const;

/**
 * The two queries of a per-node panel: A the cluster aggregate, B one series per node for the top $topn nodes by the
 * query's own signal over the range, with the rest as "other nodes" where a sum means something.
 */
function clusterAndTopNodes(query: Omit<PanelQuery, 'refId' | 'groupBy' | 'topN' | 'others'>, others = true): Json[] {
  return [
    q({ refId: 'A', ...query }),
    q({ refId: 'B', ...query, groupBy: 'node', topN: TOP_N_VAR, ...(others ? { others } : {}) }),
  ];
}

/** Clicking a node's series opens it in the node dashboard. */
const linkNodeSeries = (panel: SizedPanel) =>
  withDataLinks(panel, [nodeDrillDownLink(NODE_OF_SERIES, true)], NODE_SERIES_FIELDS);

/** Clicking a table row's node opens it in the node dashboard. */
const linkNodeColumn = (panel: SizedPanel) =>
  withDataLinks(panel, [nodeDrillDownLink(NODE_OF_ROW, true)], { id: 'byName', options: 'Node' });

/** Clicking a row's reason in the anomaly table opens the workload pairs behind it. */
const linkPairsBehind = (panel: SizedPanel) =>
  withDataLinks(panel, [pairsBehindLink(DASHBOARD_UIDS.scope)], { id: 'byName', options: 'Reason' });

/** The legend of a per-node panel: a table on the right, the worst first. */
const TOP_LEGEND = { asTable: true, placement: 'right' as const, calcs: ['max', 'lastNotNull'], sortBy: 'Max', sortDesc: true };

function endpointsRow() {
  return [
    linkNodeSeries(
      timeseries(
        {
          id: P.endpointsByState,
          title: 'Endpoints not ready: cluster and top nodes',
          description:
            'Endpoints out of the ready state (waiting for identity, not-ready, regenerating, ...) over the selected ' +
            'nodes (bold), and on the $topn nodes with the most at any time in the range, the rest summed as "other ' +
            'nodes", and the endpoints stuck out of ready (dashed: each node\'s fewest over the last ten minutes). A node ' +
            'whose endpoints stay out of ready cannot apply policy to them; click its line for the node dashboard. ' +
            'Query: endpoints, view notReady (B: grouped by node, top N).',
          w: 12,
          h: 9,
          targets: clusterAndTopNodes({ queryType: 'endpoints', view: 'notReady', node: NODE_VAR }),
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
            'Pods Kubernetes runs on the selected nodes (Running or Pending, not hostNetwork) next to the pod endpoints ' +
            'their agents manage, and the delta (right axis; the cluster in red, then the $topn nodes with the largest ' +
            'delta in the range and the rest summed). Above 0: pods Cilium does not manage, no policy, no visibility. ' +
            'Query: podEndpointDelta (B: view delta, grouped by node, top N; needs Kubernetes access in the exporter).',
          w: 12,
          h: 9,
          targets: [
            q({ refId: 'A', queryType: 'podEndpointDelta', node: NODE_VAR }),
            q({
              refId: 'B',
              queryType: 'podEndpointDelta',
              view: 'delta',
              node: NODE_VAR,
              groupBy: 'node',
              topN: TOP_N_VAR,
              others: true,
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
        title: 'Unmanaged pods',
        description:
          'Pods that run without a Cilium endpoint: no CiliumEndpoint with the same namespace and name exists. Only ' +
          'Running and Pending pods that are not hostNetwork count; completed Jobs do not. Pods on nodes without an ' +
          'agent are listed apart. Restarting the pod usually brings it under Cilium. Query: unmanagedPods.',
        w: 12,
        h: 9,
        targets: [q({ refId: 'A', queryType: 'unmanagedPods', node: NODE_VAR })],
        noValue: 'No unmanaged pods',
        sortBy: [{ displayName: 'Age', desc: true }],
        // Narrow columns sized so that Pod, Owner and Age all fit the half-width panel.
        overrides: [
          overrideByName('Node', { 'custom.width': 90 }),
          overrideByName('Namespace', { 'custom.width': 120 }),
          overrideByName('Age', {
            'custom.width': 80,
            unit: 's',
            decimals: 0,
            thresholds: { mode: 'absolute', steps: steps(color.warn, [900, color.bad]) },
            'custom.cellOptions': { type: 'color-text' },
          }),
          overrideByName('Phase', {
            mappings: [
              {
                type: 'value',
                options: { Pending: { color: color.warn, index: 0 }, Running: { color: color.text, index: 1 } },
              },
            ],
            'custom.cellOptions': { type: 'color-text' },
            'custom.width': 80,
          }),
        ],
      },
      DS
      )
    ),
    timeseries(
      {
        id: P.endpointStates,
        title: 'Endpoints by state',
        description:
          'Endpoints of the selected nodes by state (ready, regenerating, waiting-for-identity, not-ready, ...), host ' +
          'and health endpoints included. Query: endpoints.',
        w: 12,
        h: 9,
        targets: [q({ refId: 'A', queryType: 'endpoints', node: NODE_VAR })],
        unit: 'none',
        decimals: 0,
        min: 0,
        stack: true,
        legend: { asTable: true, placement: 'right', calcs: ['lastNotNull'], sortBy: 'Last *', sortDesc: true },
        overrides: endpointStateColours,
      },
      DS
    ),
    timeseries(
      {
        id: P.regenerationTime,
        title: 'Endpoint regeneration time (p50, p90, p99)',
        description:
          'How long agents take to regenerate an endpoint (compile and load its BPF programs and policy), from the ' +
          "agents' regeneration-time histogram summed over the selected nodes. Above 10 s new pods wait noticeably " +
          'for connectivity; above 30 s something is wrong (CPU starvation, huge policies, a stuck compiler). ' +
          'Query: regeneration, view latency.',
        w: 10,
        h: 9,
        targets: [
          q({ refId: 'A', queryType: 'regeneration', view: 'latency', quantiles: [0.5, 0.9, 0.99], node: NODE_VAR }),
        ],
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
          'the range (the rest summed). Cilium retries a failed regeneration, so isolated failures heal; a steady rate ' +
          'leaves endpoints on stale policy. Check the agent log of that node. Query: regeneration, view failures ' +
          '(B: grouped by node, top N).',
        w: 14,
        h: 9,
        targets: clusterAndTopNodes({ queryType: 'regeneration', view: 'failures', node: NODE_VAR }),
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
          `Packets per second the datapath forwarded and dropped in the ${direction.toLowerCase()} direction over the ` +
          'selected nodes. Drops are drawn in red on their own (right) axis so a handful stays visible next to millions ' +
          `of forwarded packets. Query: packetFlow, direction ${direction}.`,
        w: 12,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'packetFlow', direction, node: NODE_VAR })],
        unit: 'pps',
        min: 0,
        overrides: [droppedOnRightAxis('^dropped.*')],
      },
      DS
    );
  return [
    flow(P.ingressFlow, 'INGRESS'),
    flow(P.egressFlow, 'EGRESS'),
    timeseries(
      {
        id: P.dropsByReason,
        title: 'Drops by reason',
        description:
          "Dropped packets per second by the agent's drop reason and direction. The table beside it says what each " +
          'reason means. Filter with the direction and reason variables. Query: drops.',
        w: 12,
        h: 9,
        targets: [q({ refId: 'A', queryType: 'drops', node: NODE_VAR, direction: DIRECTION_VAR, reason: REASON_VAR })],
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
          "Each drop series of the range with its mean and peak rate and the meaning of the reason, from Cilium Scope's " +
          'drop-reason catalogue (the same text as GET /api/v1/drop-reasons). Query: drops, reduced to one row per series.',
        w: 12,
        h: 9,
        targets: [q({ refId: 'A', queryType: 'drops', node: NODE_VAR, direction: DIRECTION_VAR, reason: REASON_VAR })],
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
          "The drop series furthest outside their expected band (up to 5): the rate (solid), the detector's baseline " +
          '(dotted: a weighted mean over about an hour) and upper band (dashed: baseline + k spreads learnt over a day, ' +
          'at least baseline·(1+margin), a floor, and what is typical for the same reason on other nodes). A rate above ' +
          'its band for several minutes, with enough packets, is what the drop-anomaly alert pages on. Query: anomaly, view bands.',
        w: 13,
        h: 9,
        targets: [
          q({
            refId: 'A',
            queryType: 'anomaly',
            view: 'bands',
            node: NODE_VAR,
            direction: DIRECTION_VAR,
            reason: REASON_VAR,
            limit: 5,
          }),
        ],
        unit: 'pps',
        min: 0,
        fillOpacity: 0,
        legend: { asTable: true, calcs: ['max', 'lastNotNull'], sortBy: 'Max', sortDesc: true },
        overrides: anomalyBandOverrides,
      },
      DS
    ),
    linkPairsBehind(linkNodeColumn(
    table(
      {
        id: P.anomalyScores,
        title: 'Drop series outside their band',
        description:
          'Node, direction and reason of every drop series whose current rate is above its band, highest score first ' +
          '(score 0 inside the band, 1 or more above it). Series still warming up are marked. Click a reason for the ' +
          'workload pairs behind it (Who is being dropped), a node for its dashboard. Query: anomaly, view scores.',
        w: 11,
        h: 9,
        targets: [
          q({
            refId: 'A',
            queryType: 'anomaly',
            view: 'scores',
            node: NODE_VAR,
            direction: DIRECTION_VAR,
            reason: REASON_VAR,
            limit: 50,
          }),
        ],
        sortBy: [{ displayName: 'Score', desc: true }],
        noValue: 'All drop series are inside their band',
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
      DS
    )
    )),
    linkNodeColumn(
    table(
      {
        id: P.topDropNodes,
        title: 'Top nodes by drops',
        description:
          'The nodes that dropped the most packets over the range, with their main reason and its share. A node far ' +
          'above the others for one reason points at that node (policy not yet applied, a broken route, a full map). ' +
          'Query: drops, view topNodes.',
        w: 24,
        h: 8,
        targets: [
          q({
            refId: 'A',
            queryType: 'drops',
            view: 'topNodes',
            node: NODE_VAR,
            direction: DIRECTION_VAR,
            reason: REASON_VAR,
            limit: 10,
          }),
        ],
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
            'range: the largest over the selected nodes, and the $topn nodes furthest behind. Agents count revisions ' +
            'from their own start, so their levels are not compared, only the changes (an agent that restarts counts on ' +
            'from where it was). Above 0 for long: look for import errors on that node. Query: policy, view revisionSkew ' +
            '(B: grouped by node, top N).',
          w: 12,
          h: 8,
          targets: clusterAndTopNodes({ queryType: 'policy', view: 'revisionSkew', node: NODE_VAR }, false),
          unit: 'none',
          decimals: 0,
          min: 0,
          thresholds: steps(color.ok, [1, color.bad]),
          thresholdsStyle: 'dashed',
          legend: TOP_LEGEND,
          overrides: [
            overrideByName('largest revision skew', { 'custom.lineWidth': 2, color: fixedColor(color.bad) }),
          ],
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
            'Failed policy imports within the rate window ending at each bar over the selected nodes, and on the $topn nodes with the most in the ' +
            'range, the rest summed (cilium_policy_import_errors_total on old agents, ' +
            'cilium_policy_change_total{outcome="failure"} on new ones). Any error means a policy is not enforced on ' +
            'that node: read the agent log for the rejected policy. Query: policy, view importErrors (B: grouped by ' +
            'node, top N).',
          w: 12,
          h: 8,
          targets: clusterAndTopNodes({ queryType: 'policy', view: 'importErrors', node: NODE_VAR }),
          ...rareEventBars('count'),
          thresholds: steps(color.ok, [1, color.bad]),
          // One colour per node: a bar of one error reaches exactly the threshold, so threshold colours would draw it green.
          colorMode: 'palette-classic',
          // Each bar counts a rate window of several steps: the largest bar, not their sum, is a count of errors.
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
            'Network policies loaded in the agents: the most and the fewest over the selected nodes, and the $topn nodes ' +
            'with the fewest in the range. Policies are cluster objects, so every node should show the same number; a ' +
            'node below the others has not imported the latest change. Query: policy, view count (B: grouped by node, top N).',
          w: 12,
          h: 8,
          targets: clusterAndTopNodes({ queryType: 'policy', view: 'count', node: NODE_VAR }, false),
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
          'Endpoints by policy enforcement mode: none (no policy selects them, all traffic allowed), ingress, egress, ' +
          'both, and the audit modes (policy evaluated but not enforced). Query: policy, view enforcement.',
        w: 12,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'policy', view: 'enforcement', node: NODE_VAR })],
        unit: 'none',
        decimals: 0,
        stack: true,
        overrides: [
          overrideByRegexp('.*none$', { color: fixedColor('gray') }),
          overrideByRegexp('.*audit.*', { color: fixedColor(color.warn) }),
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
          'Agents and operator the exporter scraped successfully at the end of the range, and those whose last scrape ' +
          'failed. Any target down means its node is blind: no endpoint, drop or policy data. Query: agentHealth, view up.',
        w: 6,
        h: 9,
        targets: [q({ refId: 'A', queryType: 'agentHealth', view: 'up', node: NODE_VAR })],
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
          'The 50 scraped targets most in need of attention (down, stale, failing, then the slowest scrapes) with their ' +
          'state, Cilium version, last scrape, scrape duration, endpoints, restarts the exporter noticed and the last ' +
          'scrape error; click a node for its dashboard. Query: agentHealth, view status, limit 50.',
        w: 18,
        h: 9,
        targets: [q({ refId: 'A', queryType: 'agentHealth', view: 'status', node: NODE_VAR, limit: 50 })],
        sortBy: [{ displayName: 'Up', desc: false }],
        // Fixed widths for the short columns leave the Error column the rest of the panel.
        overrides: [
          overrideByName('Up', {
            mappings: [upDownMapping()],
            'custom.cellOptions': { type: 'color-background', mode: 'basic' },
            'custom.width': 70,
          }),
          overrideByName('Stale', {
            mappings: [
              {
                type: 'value',
                options: {
                  false: { text: 'fresh', color: color.text, index: 0 },
                  true: { text: 'stale', color: color.warn, index: 1 },
                },
              },
            ],
            'custom.cellOptions': { type: 'color-text' },
            'custom.width': 70,
          }),
          overrideByName('Component', { 'custom.width': 110 }),
          overrideByName('Cilium version', { 'custom.width': 130 }),
          overrideByName('Last scrape', { unit: 'dateTimeFromNow', 'custom.width': 145 }),
          overrideByName('Scrape duration', {
            thresholds: { mode: 'absolute', steps: steps(color.ok, [5, color.warn], [10, color.bad]) },
            'custom.cellOptions': { type: 'color-text' },
            'custom.width': 150,
          }),
          overrideByName('Endpoints', { 'custom.width': 105 }),
          overrideByName('Restarts', { 'custom.width': 95 }),
          overrideByName('Error', {
            'custom.cellOptions': { type: 'auto', wrapText: true },
            'custom.wrapText': true,
          }),
        ],
      },
      DS
      )
    ),
    table(
      {
        id: P.versions,
        title: 'Cilium versions',
        description:
          'How many agents run each Cilium version. More than one version outside an upgrade window means a rollout ' +
          'stalled. Query: agentHealth, view versions.',
        w: 6,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'agentHealth', view: 'versions', node: NODE_VAR })],
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
            "Time the exporter needs to fetch and parse a target's metrics page: the slowest agent and operator scrape " +
            'of each step, the $topn slowest targets of the range and the slowest of the others. Close to the scrape ' +
            'timeout (10 s by default) the next failure is near: an overloaded agent or an oversized page. Query: ' +
            'agentHealth, view scrapeDuration (B: grouped by node, top N).',
          w: 9,
          h: 8,
          targets: clusterAndTopNodes({ queryType: 'agentHealth', view: 'scrapeDuration', node: NODE_VAR }),
          unit: 's',
          min: 0,
          thresholds: steps(color.ok, [5, color.warn], [10, color.bad]),
          thresholdsStyle: 'dashed',
          legend: TOP_LEGEND,
        },
        DS
      )
    ),
    linkNodeColumn(
    table(
      {
        id: P.scrapeErrors,
        title: 'Scrape errors',
        description:
          'Targets whose last scrape failed, with the reason (timeout, connection refused, HTTP status, page too large, ' +
          'parse error). Empty when every target answers. Query: agentHealth, view status, limit 50 (problems first), ' +
          'rows with an error.',
        w: 9,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'agentHealth', view: 'status', node: NODE_VAR, limit: 50 })],
        transformations: [
          {
            id: 'filterByValue',
            options: {
              type: 'include',
              match: 'any',
              filters: [{ fieldName: 'Error', config: { id: 'regex', options: { value: '.+' } } }],
            },
          },
          {
            id: 'organize',
            options: {
              includeByName: { Node: true, Component: true, 'Last scrape': true, Error: true },
              excludeByName: {},
              indexByName: {},
              renameByName: {},
            },
          },
        ],
        noValue: 'No scrape errors',
        overrides: [
          overrideByName('Last scrape', { unit: 'dateTimeFromNow' }),
          overrideByName('Error', {
            'custom.cellOptions': { type: 'auto', wrapText: true },
            'custom.wrapText': true,
          }),
        ],
      },
      DS
    )
    ),
  ];
}

export function pluginAnnotation(name: string, kind: string, iconColor: string, enable: boolean): Json {
  return {
    name,
    datasource: DS,
    enable,
    hide: false,
    iconColor,
    target: { refId: 'Anno', annotationKind: kind, node: NODE_VAR },
  };
}

export function pluginDashboard(): DashboardDefinition {
  const variable = (name: string, label: string, query: string, description: string) =>
    queryVariable({ name, label, description, query, datasource: DS });
  return {
    uid: DASHBOARD_UIDS.scope,
    title: 'Cilium Scope',
    description:
      'Cilium endpoints, unmanaged pods, forwarded and dropped packets with drop reasons and anomaly bands, policy and ' +
      'agent health, from the Cilium Scope exporter.',
    tags: ['cilium', 'ciliumscope', 'kubernetes', 'network'],
    datasource: SCOPE_DATASOURCE,
    variables: [
      variable('node', 'Node', 'nodes()', 'Kubernetes nodes the exporter scrapes.'),
      variable('direction', 'Direction', 'directions()', 'Traffic direction of drops (INGRESS, EGRESS).'),
      variable('reason', 'Drop reason', 'drop_reasons(seen)', 'Drop reasons the cluster currently reports.'),
      ...workloadVariables(DS),
      topNVariable(),
    ],
    annotations: [
      pluginAnnotation('Drop anomalies', 'dropAnomalies', 'red', true),
      pluginAnnotation('Policy import errors', 'policyImportErrors', 'orange', true),
      pluginAnnotation('Agent restarts', 'agentRestarts', 'purple', false),
    ],
    links: [
      {
        title: 'Cilium Scope (Prometheus)',
        type: 'dashboards',
        tags: ['ciliumscope-prometheus'],
        asDropdown: false,
        icon: 'dashboard',
        tooltip: 'The same sections from Prometheus, with its longer history',
        includeVars: true,
        keepTime: true,
        targetBlank: false,
        url: '',
      },
      NODE_DASHBOARD_LINK,
    ],
    panels: layout([
      { id: ROW_IDS.overview, title: 'Overview', panels: pluginOverviewRow(DS) },
      { id: ROW_IDS.endpoints, title: 'Endpoints', panels: endpointsRow() },
      { id: ROW_IDS.packetFlow, title: 'Packet flow', panels: packetFlowRow() },
      { id: ROW_IDS.workloads, title: 'Who is being dropped', panels: pluginWorkloadsRow(DS) },
      { id: ROW_IDS.policy, title: 'Policy', panels: policyRow() },
      { id: ROW_IDS.agents, title: 'Agents', panels: agentsRow() },
    ]),
  };
}
