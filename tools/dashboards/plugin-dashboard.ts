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
import { DASHBOARD_UIDS, DATASOURCE_UIDS, INPUTS, PANEL_IDS as P, PLUGIN_ID, ROW_IDS } from './ids';
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
  targetsUpDownOverrides,
  upDownMapping,
} from './shared';

const DS: DatasourceRef = { type: PLUGIN_ID, uid: '${datasource}' };

/** A panel query: the contract's query as Grafana stores it. */
const q = (query: ScopeQuery): Json => ({ ...query });

function endpointsRow() {
  return [
    timeseries(
      {
        id: P.endpointsByState,
        title: 'Endpoints by state per node',
        description:
          'How many endpoints each agent manages, split by state (ready, regenerating, waiting-for-identity, not-ready, ...). ' +
          'Host and health endpoints are included. A node whose endpoints stay out of "ready" cannot apply policy to them. ' +
          'Query: endpoints, grouped by node.',
        w: 12,
        h: 9,
        targets: [q({ refId: 'A', queryType: 'endpoints', node: NODE_VAR, groupBy: 'node' })],
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
        id: P.podsVsEndpoints,
        title: 'Pods vs endpoints per node',
        description:
          'Pods Kubernetes runs on each node (Running or Pending, not hostNetwork) next to the pod endpoints the agent ' +
          'manages there. The delta (red, right axis) above 0 means pods Cilium does not manage: no policy, no ' +
          'visibility. Query: podEndpointDelta, grouped by node (needs Kubernetes access in the exporter).',
        w: 12,
        h: 9,
        targets: [q({ refId: 'A', queryType: 'podEndpointDelta', node: NODE_VAR, groupBy: 'node' })],
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
        w: 6,
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
    timeseries(
      {
        id: P.regenerationFailures,
        title: 'Endpoint regeneration failures',
        description:
          'Regenerations per second that failed, per node. Cilium retries a failed regeneration, so isolated failures ' +
          'heal; a steady rate leaves endpoints on stale policy. Check the agent log of that node. Query: regeneration, ' +
          'view rate, grouped by node (successes are hidden).',
        w: 6,
        h: 9,
        targets: [q({ refId: 'A', queryType: 'regeneration', view: 'rate', node: NODE_VAR, groupBy: 'node' })],
        // Failures are rare events: about 100 bars over the range keep each one visible.
        maxDataPoints: 100,
        unit: 'ops',
        min: 0,
        drawStyle: 'bars',
        fillOpacity: 80,
        thresholds: steps(color.ok, [0.001, color.bad]),
        overrides: [overrideByRegexp('.*success$', { 'custom.hideFrom': { viz: true, legend: true, tooltip: true } })],
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
    table(
      {
        id: P.anomalyScores,
        title: 'Drop series outside their band',
        description:
          'Node, direction and reason of every drop series whose current rate is above its band, highest score first ' +
          '(score 0 inside the band, 1 or more above it). Series still warming up are marked. Query: anomaly, view scores.',
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
    ),
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
          'Network policies loaded in each agent. Policies are cluster objects, so every node should show the same ' +
          'number; a node below the others has not imported the latest change. Query: policy, view count, grouped by node.',
        w: 6,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'policy', view: 'count', node: NODE_VAR, groupBy: 'node' })],
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
          "Each agent's policy revision, which steps up with every policy change the agent applies. Agents count " +
          'revisions from their own start, so the levels differ between nodes and a gap between them means nothing; ' +
          'the steps do: a node whose line stays flat when the others step up did not apply that change (see the import ' +
          'errors beside it). Query: policy, view revision, grouped by node.',
        w: 6,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'policy', view: 'revision', node: NODE_VAR, groupBy: 'node' })],
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
          'Failed policy imports per node in each interval (cilium_policy_import_errors_total on old agents, ' +
          'cilium_policy_change_total{outcome="failure"} on new ones). Any error means a policy is not enforced on ' +
          'that node: read the agent log for the rejected policy. Query: policy, view importErrors, grouped by node.',
        w: 6,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'policy', view: 'importErrors', node: NODE_VAR, groupBy: 'node' })],
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
          'Endpoints by policy enforcement mode: none (no policy selects them, all traffic allowed), ingress, egress, ' +
          'both, and the audit modes (policy evaluated but not enforced). Query: policy, view enforcement.',
        w: 6,
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
    table(
      {
        id: P.agents,
        title: 'Agents',
        description:
          'Every scraped target with its state, Cilium version, last scrape, scrape duration, endpoints, restarts the ' +
          'exporter noticed and the last scrape error. Query: agentHealth, view status.',
        w: 18,
        h: 9,
        targets: [q({ refId: 'A', queryType: 'agentHealth', view: 'status', node: NODE_VAR })],
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
    ),
    table(
      {
        id: P.versions,
        title: 'Cilium versions',
        description:
          'How many agents run each Cilium version. More than one version outside an upgrade window means a rollout ' +
          'stalled. Query: agentHealth, view status, grouped by version.',
        w: 6,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'agentHealth', view: 'status', node: NODE_VAR })],
        transformations: [
          {
            id: 'filterByValue',
            options: {
              type: 'include',
              match: 'all',
              filters: [{ fieldName: 'Component', config: { id: 'equal', options: { value: 'agent' } } }],
            },
          },
          {
            id: 'groupBy',
            options: {
              fields: {
                'Cilium version': { operation: 'groupby', aggregations: [] },
                Node: { operation: 'aggregate', aggregations: ['count'] },
              },
            },
          },
          {
            id: 'organize',
            options: {
              renameByName: { 'Node (count)': 'Agents' },
              excludeByName: {},
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
          "Time the exporter needs to fetch and parse each target's metrics page. Close to the scrape timeout (10 s by " +
          'default) the next failure is near: an overloaded agent or an oversized page. Query: agentHealth, view scrapeDuration, grouped by node.',
        w: 9,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'agentHealth', view: 'scrapeDuration', node: NODE_VAR, groupBy: 'node' })],
        unit: 's',
        min: 0,
        thresholds: steps(color.ok, [5, color.warn], [10, color.bad]),
        thresholdsStyle: 'dashed',
      },
      DS
    ),
    table(
      {
        id: P.scrapeErrors,
        title: 'Scrape errors',
        description:
          'Targets whose last scrape failed, with the reason (timeout, connection refused, HTTP status, page too large, ' +
          'parse error). Empty when every target answers. Query: agentHealth, view status, rows with an error.',
        w: 9,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'agentHealth', view: 'status', node: NODE_VAR })],
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
    ),
  ];
}

function pluginAnnotation(name: string, kind: string, iconColor: string, enable: boolean): Json {
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
    datasource: {
      pluginId: PLUGIN_ID,
      pluginName: 'Cilium Scope',
      input: INPUTS.scope,
      provisionedUid: DATASOURCE_UIDS.scope,
      provisionedName: 'Cilium Scope',
    },
    variables: [
      variable('node', 'Node', 'nodes()', 'Kubernetes nodes the exporter scrapes.'),
      variable('direction', 'Direction', 'directions()', 'Traffic direction of drops (INGRESS, EGRESS).'),
      variable('reason', 'Drop reason', 'drop_reasons(seen)', 'Drop reasons the cluster currently reports.'),
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
    ],
    panels: layout([
      { id: ROW_IDS.endpoints, title: 'Endpoints', panels: endpointsRow() },
      { id: ROW_IDS.packetFlow, title: 'Packet flow', panels: packetFlowRow() },
      { id: ROW_IDS.policy, title: 'Policy', panels: policyRow() },
      { id: ROW_IDS.agents, title: 'Agents', panels: agentsRow() },
    ]),
  };
}
