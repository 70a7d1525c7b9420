/** The Endpoints row: endpoints out of ready, pods Cilium does not manage, endpoint states and regeneration. */
import { color, overrideByName, steps } from '../grafana';
import { PANEL_IDS as P, ROW_IDS } from '../ids';
import {
  NODE,
  NOT_READY,
  STUCK_NOT_READY,
  clusterAndTopNodes as promClusterAndTopNodes,
  counterTopNodes,
  otherNodes,
  overRange,
  regenerationQuantile,
  topNodes,
} from '../promql';
import { NODE_VAR, TOP_N_VAR, clusterAndTopNodes } from '../scope-query';
import {
  NOT_READY_OVERRIDES,
  STUCK_LEGEND,
  TOP_LEGEND,
  endpointStateColours,
  instantTableColumns,
  podEndpointDeltaOverrides,
  perNodeEventBars,
} from '../shared';
import { absent, type RowDef } from './table';

const DELTA = `sum by (node) (ciliumscope_endpoint_pod_delta{${NODE}})`;
const DELTA_RANK = overRange('max', `abs(${DELTA})`);
const FAILURES = `ciliumscope_endpoint_regenerations_total{${NODE}, outcome="failure"}`;

export const ENDPOINTS: RowDef = {
  id: ROW_IDS.endpoints,
  title: 'Endpoints',
  panels: [
    {
      kind: 'timeseries',
      id: P.endpointsByState,
      title: 'Endpoints not ready: cluster and top nodes',
      description:
        'Endpoints out of the ready state (waiting for identity, not-ready, regenerating, ...) over the selected ' +
        'nodes (bold), and on the $topn nodes with the most at any time in the range, the rest summed as "other ' +
        'nodes", and the endpoints stuck out of ready (dashed: each node\'s fewest over the last ten minutes). A node ' +
        'whose endpoints stay out of ready cannot apply policy to them; click its line for the node dashboard.',
      w: 12,
      h: 9,
      unit: 'none',
      decimals: 0,
      min: 0,
      legend: TOP_LEGEND,
      overrides: NOT_READY_OVERRIDES,
      nodeLinks: 'series',
      scope: {
        targets: clusterAndTopNodes({ queryType: 'endpoints', view: 'notReady', node: NODE_VAR }),
        source: 'Query: endpoints, view notReady (B: grouped by node, top N).',
      },
      prometheus: {
        targets: [
          ...promClusterAndTopNodes({
            cluster: `sum(${NOT_READY}) or vector(0)`,
            clusterLegend: 'endpoints not ready',
            perNode: `sum by (node) (${NOT_READY})`,
            rank: overRange('max', `sum by (node) (${NOT_READY})`),
            nodeLegend: '{{node}} not ready',
            others: { how: 'sum', legend: 'other nodes not ready' },
          }),
          { refId: 'D', expr: STUCK_NOT_READY, legendFormat: STUCK_LEGEND },
        ],
        source: 'Series: ciliumscope_endpoints{node,state}.',
      },
    },
    {
      kind: 'timeseries',
      id: P.podsVsEndpoints,
      title: 'Pods vs endpoints',
      description:
        'Pods Kubernetes runs on the selected nodes (Running or Pending, not hostNetwork) next to the pod endpoints ' +
        'their agents manage, and the delta (right axis; the cluster in red, then the $topn nodes with the largest ' +
        'delta in the range and the rest summed). Above 0: pods Cilium does not manage, no policy, no visibility.',
      w: 12,
      h: 9,
      fillOpacity: 0,
      unit: 'none',
      decimals: 0,
      legend: { asTable: true, placement: 'right', calcs: ['lastNotNull'] },
      overrides: podEndpointDeltaOverrides(),
      nodeLinks: 'series',
      scope: {
        targets: [
          { refId: 'A', queryType: 'podEndpointDelta', node: NODE_VAR },
          {
            refId: 'B',
            queryType: 'podEndpointDelta',
            view: 'delta',
            node: NODE_VAR,
            groupBy: 'node',
            topN: TOP_N_VAR,
            others: true,
          },
        ],
        source:
          'Query: podEndpointDelta (B: view delta, grouped by node, top N; needs Kubernetes access in the exporter).',
      },
      prometheus: {
        targets: [
          { refId: 'A', expr: `sum(ciliumscope_pods{${NODE}})`, legendFormat: 'pods' },
          { refId: 'B', expr: topNodes(DELTA, DELTA_RANK), legendFormat: '{{node}} delta' },
          { refId: 'C', expr: `sum(ciliumscope_pod_endpoints{${NODE}})`, legendFormat: 'pod endpoints' },
          { refId: 'D', expr: `sum(ciliumscope_endpoint_pod_delta{${NODE}})`, legendFormat: 'delta' },
          { refId: 'E', expr: otherNodes(DELTA, DELTA_RANK), legendFormat: 'other nodes delta' },
        ],
        source: 'Series: ciliumscope_pods, ciliumscope_pod_endpoints, ciliumscope_endpoint_pod_delta.',
      },
    },
    {
      kind: 'table',
      id: P.unmanagedPods,
      title: 'Unmanaged pods',
      description:
        'Pods that run without a Cilium endpoint: no CiliumEndpoint with the same namespace and name exists. Only ' +
        'Running and Pending pods that are not hostNetwork count; completed Jobs do not. Pods on nodes without an ' +
        'agent are listed apart. Restarting the pod usually brings it under Cilium.',
      w: 12,
      h: 9,
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
      nodeLinks: 'column',
      scope: {
        targets: [{ refId: 'A', queryType: 'unmanagedPods', node: NODE_VAR }],
        source: 'Query: unmanagedPods.',
      },
      prometheus: absent(
        'Pod names come from the Kubernetes API, which Prometheus does not hold: "Unmanaged pods per node" and ' +
          '"Nodes without a Cilium agent" stand in its place.'
      ),
    },
    {
      kind: 'table',
      id: P.unmanagedPods,
      title: 'Unmanaged pods per node',
      description:
        'Nodes with pods that run without a Cilium endpoint, and how many (the 50 with the most). Prometheus holds ' +
        'counts only: the node dashboard of the Cilium Scope datasource names the pods (click a node).',
      w: 6,
      h: 9,
      transformations: [instantTableColumns({ node: 'Node', Value: 'Unmanaged pods' })],
      noValue: 'No unmanaged pods',
      sortBy: [{ displayName: 'Unmanaged pods', desc: true }],
      overrides: [
        overrideByName('Unmanaged pods', {
          decimals: 0,
          thresholds: { mode: 'absolute', steps: steps(color.ok, [1, color.bad]) },
          'custom.cellOptions': { type: 'color-text' },
        }),
      ],
      nodeLinks: 'column',
      scope: absent('The plugin lists the pods themselves in "Unmanaged pods".'),
      prometheus: {
        targets: [
          // The 50 nodes with the most: a cluster-wide failure stays a readable table.
          {
            refId: 'A',
            expr: `topk(50, sum by (node) (ciliumscope_unmanaged_pods{${NODE}}) > 0)`,
            instant: true,
          },
        ],
        source: 'Series: ciliumscope_unmanaged_pods{node}.',
      },
    },
    {
      kind: 'table',
      id: P.nodesWithoutAgent,
      title: 'Nodes without a Cilium agent',
      description:
        'Nodes where pods are scheduled but no Cilium agent runs or has ever answered: their pods get no Cilium ' +
        'policy or visibility.',
      w: 6,
      h: 9,
      transformations: [instantTableColumns({ node: 'Node' }, { exclude: ['Value'] })],
      noValue: 'Every node runs an agent',
      nodeLinks: 'column',
      scope: absent('The plugin lists the pods of such nodes apart in "Unmanaged pods".'),
      prometheus: {
        targets: [{ refId: 'A', expr: `sum by (node) (ciliumscope_node_without_agent{${NODE}}) > 0`, instant: true }],
        source: 'Series: ciliumscope_node_without_agent{node} (1 for such a node).',
      },
    },
    {
      kind: 'timeseries',
      id: P.endpointStates,
      title: 'Endpoints by state',
      description:
        'Endpoints of the selected nodes by state (ready, regenerating, waiting-for-identity, not-ready, ...), host ' +
        'and health endpoints included.',
      w: 12,
      h: 9,
      unit: 'none',
      decimals: 0,
      min: 0,
      stack: true,
      legend: { asTable: true, placement: 'right', calcs: ['lastNotNull'], sortBy: 'Last *', sortDesc: true },
      overrides: endpointStateColours,
      scope: {
        targets: [{ refId: 'A', queryType: 'endpoints', node: NODE_VAR }],
        source: 'Query: endpoints.',
      },
      prometheus: {
        targets: [{ refId: 'A', expr: `sum by (state) (ciliumscope_endpoints{${NODE}})`, legendFormat: '{{state}}' }],
        source: 'Series: ciliumscope_endpoints{node,state}.',
      },
    },
    {
      kind: 'timeseries',
      id: P.regenerationTime,
      title: 'Endpoint regeneration time (p50, p90, p99)',
      description:
        'How long agents take to regenerate an endpoint (compile and load its BPF programs and policy), from the ' +
        "agents' regeneration-time histogram summed over the selected nodes. Above 10 s new pods wait noticeably " +
        'for connectivity; above 30 s something is wrong (CPU starvation, huge policies, a stuck compiler).',
      w: 10,
      h: 9,
      unit: 's',
      min: 0,
      thresholds: steps(color.ok, [10, color.warn], [30, color.bad]),
      thresholdsStyle: 'dashed',
      scope: {
        targets: [
          { refId: 'A', queryType: 'regeneration', view: 'latency', quantiles: [0.5, 0.9, 0.99], node: NODE_VAR },
        ],
        source: 'Query: regeneration, view latency.',
      },
      prometheus: {
        targets: [0.5, 0.9, 0.99].map((q, i) => ({
          refId: 'ABC'[i],
          expr: regenerationQuantile(q),
          legendFormat: `p${q * 100}`,
        })),
        source: 'Series: ciliumscope_endpoint_regeneration_seconds_bucket.',
      },
    },
    {
      kind: 'timeseries',
      id: P.regenerationFailures,
      title: 'Endpoint regeneration failures',
      description:
        'Failed regenerations per second over the selected nodes, and on the $topn nodes with the most failures in ' +
        'the range (the rest summed). Cilium retries a failed regeneration, so isolated failures heal; a steady rate ' +
        'leaves endpoints on stale policy. Check the agent log of that node.',
      w: 14,
      h: 9,
      ...perNodeEventBars('ops', 0.001),
      nodeLinks: 'series',
      scope: {
        targets: clusterAndTopNodes({ queryType: 'regeneration', view: 'failures', node: NODE_VAR }),
        source: 'Query: regeneration, view failures (B: grouped by node, top N).',
      },
      prometheus: {
        targets: counterTopNodes(FAILURES, 'rate', { cluster: 'failed regenerations', name: 'failures' }),
        source: 'Series: ciliumscope_endpoint_regenerations_total{outcome="failure"}.',
      },
    },
  ],
};
