/**
 * "Cilium Scope: node", the drill-down the main dashboards link to: one node's endpoints, pods and endpoints,
 * unmanaged pods, regeneration, traffic, drops by reason, anomaly bands, policy and agent health. Panels that read
 * the same for one node as for a selection are the Cilium Scope dashboard's own (taken by id, so the two never
 * drift); those the main dashboard shows as cluster plus top nodes are drawn here for the node alone.
 */
import type { ScopeQuery } from '../../src/contract';
import type { DashboardDefinition } from './envelope';
import {
  type Json,
  type SizedPanel,
  color,
  fixedColor,
  layout,
  overrideByName,
  stat,
  steps,
  timeseries,
  withStatFields,
} from './grafana';
import { DASHBOARD_UIDS, PANEL_IDS as P } from './ids';
import { SCOPE_DATASOURCE, filterVariable, pluginAnnotation } from './main-dashboards';
import { DATASOURCES, mainPanel, renderPanel } from './render';
import { DROP_FILTERS, NODE_VAR } from './scope-query';
import { podEndpointDeltaOverrides, rareEventBars, upDownMapping } from './shared';
import { queryVariable } from './variables';

const DS = DATASOURCES.scope;
const q = (query: ScopeQuery): Json => ({ ...query });

/** Panel ids of the drill-down; panels taken from the main dashboard keep theirs. */
export const NODE_PANEL_IDS = {
  agent: 101,
  notReady: 102,
  unmanaged: 103,
  drops: 104,
  anomalies: 105,
  importErrors: 106,
  podsAndEndpoints: 111,
  regenerationRate: 112,
  policies: 120,
  revision: 121,
  importErrorsOverTime: 122,
  scrapeDuration: 131,
} as const;
const N = NODE_PANEL_IDS;

export const NODE_ROW_IDS = { node: 1000, endpoints: 1100, traffic: 1200, policyAndAgent: 1300 } as const;

/** A panel of the Cilium Scope dashboard, at a size of this one's grid. */
function fromMain(id: number, w: number, h: number): SizedPanel {
  return { ...renderPanel(mainPanel(id, 'scope'), 'scope'), w, h };
}

function nodeStat(
  id: number,
  title: string,
  description: string,
  targets: Json[],
  extra: Partial<Parameters<typeof stat>[0]> = {}
) {
  return stat(
    {
      id,
      title,
      description,
      w: 4,
      h: 4,
      targets,
      calc: 'lastNotNull',
      colorMode: 'background',
      graphMode: 'area',
      decimals: 0,
      thresholds: steps(color.ok, [1, color.bad]),
      ...extra,
    },
    DS
  );
}

function statsRow(): SizedPanel[] {
  const summary = q({ refId: 'A', queryType: 'anomaly', view: 'summary', ...DROP_FILTERS });
  return [
    nodeStat(
      N.agent,
      'Agent',
      "Whether the exporter's last scrape of the node's agent (and the operator, when it runs here) succeeded. Query: agentHealth, view up.",
      [q({ refId: 'A', queryType: 'agentHealth', view: 'up', node: NODE_VAR, groupBy: 'node' })],
      { mappings: [upDownMapping()], thresholds: steps(color.bad, [1, color.ok]), textMode: 'value_and_name' }
    ),
    nodeStat(
      N.notReady,
      'Endpoints not ready',
      "The node's endpoints out of the ready state at the end of the range (the sparkline shows the range). Query: endpoints, view notReady.",
      [q({ refId: 'A', queryType: 'endpoints', view: 'notReady', node: NODE_VAR })],
      { thresholds: steps(color.ok, [1, color.warn]) }
    ),
    nodeStat(
      N.unmanaged,
      'Unmanaged pods',
      'Pods on the node without a CiliumEndpoint, at the end of the range. Query: unmanagedPods, view count.',
      [q({ refId: 'A', queryType: 'unmanagedPods', view: 'count', node: NODE_VAR })]
    ),
    withStatFields(
      nodeStat(
        N.drops,
        'Drops vs baseline',
        "The node's drop rate at the end of the range against the detector's baselines for its series. Query: anomaly, view summary.",
        [summary],
        {
          textMode: 'value_and_name',
          decimals: 1,
          overrides: [
            overrideByName('drop rate', { unit: 'pps', color: fixedColor('text') }),
            overrideByName('vs baseline', {
              thresholds: { mode: 'absolute', steps: steps(color.ok, [2, color.warn], [5, color.bad]) },
              color: { mode: 'thresholds' },
            }),
          ],
        }
      ),
      '/^(drop rate|vs baseline)$/'
    ),
    withStatFields(
      nodeStat(
        N.anomalies,
        'Drop anomalies now',
        "The node's drop series with an anomaly score of 1 or more at the end of the range. Query: anomaly, view summary.",
        [summary]
      ),
      '/^anomalous series$/'
    ),
    nodeStat(
      N.importErrors,
      'Policy import errors',
      'Failed policy imports on the node over the whole range. Query: policy, view importErrorsInRange.',
      [q({ refId: 'A', queryType: 'policy', view: 'importErrorsInRange', node: NODE_VAR })],
      { graphMode: 'none' }
    ),
  ];
}

function endpointsRow(): SizedPanel[] {
  return [
    fromMain(P.endpointStates, 8, 8),
    timeseries(
      {
        id: N.podsAndEndpoints,
        title: 'Pods vs endpoints',
        description:
          'Pods Kubernetes runs on the node (Running or Pending, not hostNetwork), the pod endpoints its agent manages, ' +
          'and their delta (red, right axis): above 0, pods Cilium does not manage. Query: podEndpointDelta.',
        w: 8,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'podEndpointDelta', node: NODE_VAR })],
        fillOpacity: 0,
        unit: 'none',
        decimals: 0,
        overrides: podEndpointDeltaOverrides(),
      },
      DS
    ),
    fromMain(P.unmanagedPods, 8, 8),
    fromMain(P.regenerationTime, 12, 8),
    timeseries(
      {
        id: N.regenerationRate,
        title: 'Endpoint regenerations by outcome',
        description:
          'Regenerations per second on the node that succeeded and failed (red). A steady failure rate leaves endpoints on ' +
          'stale policy: read the agent log. Query: regeneration, view rate.',
        w: 12,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'regeneration', view: 'rate', node: NODE_VAR })],
        unit: 'ops',
        min: 0,
        overrides: [overrideByName('failure', { color: fixedColor(color.bad) })],
      },
      DS
    ),
  ];
}

function trafficRow(): SizedPanel[] {
  return [
    fromMain(P.ingressFlow, 12, 8),
    fromMain(P.egressFlow, 12, 8),
    fromMain(P.dropsByReason, 12, 9),
    fromMain(P.dropReasons, 12, 9),
    fromMain(P.anomalyBands, 24, 9),
  ];
}

function policyAndAgentRow(): SizedPanel[] {
  const gauge = (id: number, title: string, description: string, view: 'count' | 'revision') =>
    timeseries(
      {
        id,
        title,
        description,
        w: 6,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'policy', view, node: NODE_VAR, groupBy: 'node' })],
        unit: 'none',
        decimals: 0,
      },
      DS
    );
  return [
    gauge(N.policies, 'Policies', 'Network policies loaded in the agent. Query: policy, view count.', 'count'),
    gauge(
      N.revision,
      'Policy revision',
      "The agent's policy revision: a step for every policy change it applies. Flat while other nodes step up: it " +
        'did not apply that change (see the import errors). Query: policy, view revision.',
      'revision'
    ),
    timeseries(
      {
        id: N.importErrorsOverTime,
        title: 'Policy import errors',
        description:
          'Failed policy imports on the node within the rate window ending at each bar: each is a policy it does not enforce. Query: policy, view importErrors.',
        w: 6,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'policy', view: 'importErrors', node: NODE_VAR })],
        ...rareEventBars('count'),
        colorMode: 'fixed',
        fixedColor: color.bad,
      },
      DS
    ),
    fromMain(P.enforcement, 6, 8),
    timeseries(
      {
        id: N.scrapeDuration,
        title: 'Scrape duration',
        description:
          "Time the exporter needs to fetch and parse the agent's page. Close to the scrape timeout the next failure is " +
          'near. Query: agentHealth, view scrapeDuration.',
        w: 8,
        h: 8,
        targets: [q({ refId: 'A', queryType: 'agentHealth', view: 'scrapeDuration', node: NODE_VAR, groupBy: 'node' })],
        unit: 's',
        min: 0,
        thresholds: steps(color.ok, [5, color.warn], [10, color.bad]),
        thresholdsStyle: 'dashed',
      },
      DS
    ),
    fromMain(P.agents, 16, 8),
  ];
}

export function nodeDashboard(): DashboardDefinition {
  // One node at a time: Grafana selects the first on load unless a link says which.
  const node = {
    ...queryVariable({
      name: 'node',
      label: 'Node',
      description: 'The node to look at.',
      query: 'nodes()',
      datasource: DS,
    }),
    includeAll: false,
    multi: false,
    current: { selected: false, text: '', value: '' },
  };
  return {
    uid: DASHBOARD_UIDS.node,
    title: 'Cilium Scope: node',
    description:
      "One node's Cilium endpoints, pods and unmanaged pods, regeneration, traffic and drops with anomaly bands, policy " +
      'and agent health, from the Cilium Scope exporter. The Cilium Scope dashboards link here with the node selected.',
    tags: ['cilium', 'ciliumscope-node', 'kubernetes', 'network'],
    datasource: SCOPE_DATASOURCE,
    variables: [node, filterVariable('direction', 'scope'), filterVariable('reason', 'scope')],
    annotations: [
      pluginAnnotation('Policy import errors', 'policyImportErrors', 'orange', true),
      pluginAnnotation('Agent restarts', 'agentRestarts', 'purple', true),
    ],
    links: [
      {
        title: 'Cilium Scope',
        type: 'link',
        url: `/d/${DASHBOARD_UIDS.scope}`,
        asDropdown: false,
        icon: 'dashboard',
        tooltip: 'Back to the whole cluster',
        includeVars: false,
        keepTime: true,
        targetBlank: false,
        tags: [],
      },
    ],
    panels: layout([
      { id: NODE_ROW_IDS.node, title: 'Node', panels: statsRow() },
      { id: NODE_ROW_IDS.endpoints, title: 'Endpoints and pods', panels: endpointsRow() },
      { id: NODE_ROW_IDS.traffic, title: 'Traffic and drops', panels: trafficRow() },
      { id: NODE_ROW_IDS.policyAndAgent, title: 'Policy and agent', panels: policyAndAgentRow() },
    ]),
  };
}
