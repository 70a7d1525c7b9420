/**
 * The alert catalogue, once: rendered into Grafana-managed rules (provisioning/alerting), a Prometheus rule file
 * (prometheus/rules) and a PrometheusRule manifest (deploy/base/). Each alert is a few PromQL queries and a condition
 * that must hold for all of them, per label set; Grafana evaluates the condition with reduce/math/threshold
 * expressions, Prometheus with `and on (...)`.
 */
import { DASHBOARD_UIDS, PANEL_IDS } from './ids';

export type RefId = 'A' | 'B';
export type Comparison = '>' | '>=' | '<' | '<=';

/** `ref op value`, where value is a constant or `factor × another query`. */
export interface Condition {
  ref: RefId;
  op: Comparison;
  value: number | { factor: number; ref: RefId };
}

export interface AlertQuery {
  expr: string;
  /** Seconds of data the query looks at (Grafana's relativeTimeRange.from); covers the longest range selector. */
  lookback: number;
}

export interface AlertSpec {
  /** Grafana rule uid (at most 40 characters). */
  uid: string;
  /** Prometheus alert name. */
  name: string;
  /** Grafana rule title. */
  title: string;
  group: 'drops' | 'endpoints' | 'policy' | 'agents';
  severity: 'warning' | 'critical';
  /** Labels every firing series carries; both renderings aggregate to exactly these. */
  by: string[];
  queries: Partial<Record<RefId, AlertQuery>> & { A: AlertQuery };
  /** All must hold. */
  conditions: Condition[];
  for: string;
  /** Grafana's state when the queries return nothing; unset: OK, as quiet series return nothing. */
  noData?: 'OK' | 'NoData' | 'Alerting';
  /** `{{VALUE}}` stands for the value of query A (a count), rendered the way each alerting system writes it. */
  summary: string;
  description: string;
  runbook: string;
  panelId: number;
}

/** Minimum packets a drop series must lose within the window before an anomaly pages. */
export const DROP_ANOMALY_MIN_PACKETS = 100;
export const DROP_ANOMALY_WINDOW = '5m';

const by = (labels: string[]) => labels.join(', ');

/** Fires for each node where `expr`, summed per node, is above 0. */
const aboveZeroPerNode = (expr: string, lookback: number): Pick<AlertSpec, 'by' | 'queries' | 'conditions'> => ({
  by: ['node'],
  queries: { A: { expr: `sum by (node) (${expr})`, lookback } },
  conditions: [{ ref: 'A', op: '>', value: 0 }],
});
/** A above an absolute floor (so that small numbers do not page) and above `factor` × B. */
const aboveFloorAndRatio = (op: Comparison, floor: number, factor: number): Condition[] => [
  { ref: 'A', op, value: floor },
  { ref: 'A', op: '>', value: { factor, ref: 'B' } },
];
const DROP_LABELS = ['node', 'direction', 'reason'];
/** Endpoint states that are part of a normal lifecycle and do not count as "not ready". */
const NORMAL_STATES = 'ready|disconnecting|disconnected';

export const ALERTS: AlertSpec[] = [
  {
    uid: 'ciliumscope-drop-anomaly',
    name: 'CiliumScopeDropAnomaly',
    title: 'Cilium drop anomaly',
    group: 'drops',
    severity: 'warning',
    by: DROP_LABELS,
    queries: {
      A: { expr: `max by (${by(DROP_LABELS)}) (ciliumscope_drop_anomaly_score)`, lookback: 600 },
      B: {
        expr: `sum by (${by(DROP_LABELS)}) (increase(ciliumscope_dropped_packets_total[${DROP_ANOMALY_WINDOW}]))`,
        lookback: 600,
      },
    },
    conditions: [
      { ref: 'A', op: '>=', value: 1 },
      { ref: 'B', op: '>=', value: DROP_ANOMALY_MIN_PACKETS },
    ],
    for: '5m',
    summary: 'Drops "{{ $labels.reason }}" ({{ $labels.direction }}) on {{ $labels.node }} are above their usual band',
    description:
      'The drop rate for reason "{{ $labels.reason }}", direction {{ $labels.direction }}, on node {{ $labels.node }} ' +
      `is above the upper band learnt from its own history and its peers, and more than ${DROP_ANOMALY_MIN_PACKETS} ` +
      `packets were dropped in the last ${DROP_ANOMALY_WINDOW}.`,
    runbook:
      'Open the "Drop anomaly bands" panel for the node and reason and read the reason\'s meaning in "Drop reasons and ' +
      'what they mean". Policy denied: look for a policy or label change just before the rise (cilium monitor --type ' +
      'drop, hubble observe --verdict DROPPED on the node). Stale or unroutable IP / missed tail calls / CT or NAT ' +
      'failures: check the agent log and BPF map pressure of that node. If one node only, compare its Cilium version ' +
      'and config with the others.',
    panelId: PANEL_IDS.anomalyBands,
  },
  {
    uid: 'ciliumscope-policy-import-errors',
    name: 'CiliumScopePolicyImportErrors',
    title: 'Cilium policy import errors',
    group: 'policy',
    severity: 'critical',
    ...aboveZeroPerNode('increase(ciliumscope_policy_import_errors_total[10m])', 900),
    for: '1m',
    summary: 'The Cilium agent on {{ $labels.node }} failed to import a network policy',
    description:
      'The agent on {{ $labels.node }} rejected a policy change in the last 10 minutes: that policy is not enforced on ' +
      'this node while the other nodes may enforce it.',
    runbook:
      'Read the agent log on the node (kubectl -n kube-system logs ds/cilium --since=15m | grep -i policy) for the ' +
      'rejected policy and the reason (invalid selector, unsupported field, too many rules), fix or revert the policy, ' +
      'then check that "Policies per node" is equal on every node again.',
    panelId: PANEL_IDS.policyImportErrors,
  },
  {
    uid: 'ciliumscope-unmanaged-pods',
    name: 'CiliumScopeUnmanagedPods',
    title: 'Pods not managed by Cilium',
    group: 'endpoints',
    severity: 'warning',
    ...aboveZeroPerNode('ciliumscope_unmanaged_pods', 600),
    for: '15m',
    summary: '{{VALUE}} pods on {{ $labels.node }} run without a Cilium endpoint',
    description:
      'Pods on {{ $labels.node }} have been Running or Pending for 15 minutes without a CiliumEndpoint: Cilium applies ' +
      'no network policy to them and Hubble does not see them.',
    runbook:
      'List them in the "Unmanaged pods" table. Usual causes: the pods started before the Cilium agent on that node ' +
      '(restart them: kubectl delete pod), the agent failed to create their endpoint (agent log), or a CNI ' +
      'configuration other than Cilium on the node.',
    panelId: PANEL_IDS.unmanagedPods,
  },
  {
    uid: 'ciliumscope-node-without-agent',
    name: 'CiliumScopeNodeWithoutAgent',
    title: 'Pods on a node without a Cilium agent',
    group: 'agents',
    severity: 'warning',
    ...aboveZeroPerNode('ciliumscope_node_without_agent', 600),
    for: '15m',
    summary: 'Pods are scheduled on {{ $labels.node }}, where no Cilium agent runs',
    description: 'Kubernetes schedules pods on {{ $labels.node }} but no Cilium agent runs or answers there.',
    runbook:
      'Check the cilium DaemonSet pod of the node (kubectl -n kube-system get pods -o wide | grep <node>): missing ' +
      '(node selector, taints without toleration), crash-looping, or not yet ready.',
    panelId: PANEL_IDS.podsVsEndpoints,
  },
  {
    uid: 'ciliumscope-target-down',
    name: 'CiliumScopeTargetDown',
    title: 'Cilium agent or operator not answering',
    group: 'agents',
    severity: 'critical',
    by: ['node', 'component'],
    queries: { A: { expr: 'max by (node, component) (ciliumscope_target_up)', lookback: 300 } },
    conditions: [{ ref: 'A', op: '<', value: 1 }],
    for: '2m',
    noData: 'NoData',
    summary: 'The Cilium {{ $labels.component }} on {{ $labels.node }} does not answer the exporter',
    description:
      'The exporter could not scrape the Cilium {{ $labels.component }} on {{ $labels.node }} for 2 minutes: the ' +
      'agent is down or restarting, its metrics port is closed, or the page is too large or too slow.',
    runbook:
      'See the error in the "Agents" / "Scrape errors" panels. Check the pod (kubectl -n kube-system get pod -o wide), ' +
      'its restarts and log; that prometheus.enabled / the metrics port (9962 agent, 9963 operator) is on; and ' +
      'whether a network policy blocks the exporter.',
    panelId: PANEL_IDS.agents,
  },
  {
    uid: 'ciliumscope-regeneration-slow',
    name: 'CiliumScopeRegenerationSlow',
    title: 'Cilium endpoint regeneration time spike',
    group: 'endpoints',
    severity: 'warning',
    by: ['node'],
    queries: {
      A: {
        expr: 'histogram_quantile(0.9, sum by (node, le) (rate(ciliumscope_endpoint_regeneration_seconds_bucket[10m])))',
        lookback: 900,
      },
      // The usual level: two hours ending before the pending window, so a spike does not raise its own baseline.
      B: {
        expr: 'histogram_quantile(0.9, sum by (node, le) (rate(ciliumscope_endpoint_regeneration_seconds_bucket[2h] offset 30m)))',
        lookback: 9300,
      },
    },
    conditions: aboveFloorAndRatio('>', 10, 3),
    for: '10m',
    summary: 'Endpoint regeneration on {{ $labels.node }} is much slower than usual',
    description:
      'The 90th percentile of endpoint regeneration time on {{ $labels.node }} over 10 minutes is above 10 s and more ' +
      'than three times its level over the 2 hours before: new pods wait for connectivity and policy changes apply late.',
    runbook:
      "Check the node's CPU and memory pressure (BPF compilation is CPU bound), the agent log for compilation errors, " +
      'and recent large policy changes (many rules or toFQDNs selectors). "Endpoint regeneration failures" shows ' +
      'whether regenerations also fail.',
    panelId: PANEL_IDS.regenerationTime,
  },
  {
    uid: 'ciliumscope-endpoints-not-ready',
    name: 'CiliumScopeEndpointsNotReady',
    title: 'Cilium endpoints not ready',
    group: 'endpoints',
    severity: 'warning',
    by: ['node'],
    queries: {
      // The fewest not-ready endpoints at any moment of the last 10 minutes: endpoints that stayed out of ready,
      // not the ones a regeneration or a new pod passes through.
      A: {
        expr: `min_over_time((sum by (node) (ciliumscope_endpoints{state!~"${NORMAL_STATES}"}))[10m:10s])`,
        lookback: 900,
      },
      B: { expr: 'sum by (node) (ciliumscope_endpoints)', lookback: 600 },
    },
    conditions: aboveFloorAndRatio('>=', 1, 0.1),
    for: '5m',
    summary: '{{VALUE}} endpoints on {{ $labels.node }} have not been ready for at least 10 minutes',
    description:
      'More than 10% of the endpoints on {{ $labels.node }} stayed out of the ready state (waiting for identity, ' +
      'not-ready, regenerating) through the last 15 minutes: their pods may lack connectivity or run on stale policy.',
    runbook:
      'List the endpoints on the node (kubectl -n kube-system exec <cilium pod> -- cilium-dbg endpoint list) and look ' +
      'at their state and last error. Waiting for identity: check the kvstore / CRD identity allocation and the ' +
      'operator. Regenerating for long: see "Endpoint regeneration time" and the agent log.',
    panelId: PANEL_IDS.endpointsByState,
  },
];

export const ALERT_GROUPS: Array<{ key: AlertSpec['group']; name: string }> = [
  { key: 'drops', name: 'ciliumscope-drops' },
  { key: 'endpoints', name: 'ciliumscope-endpoints' },
  { key: 'policy', name: 'ciliumscope-policy' },
  { key: 'agents', name: 'ciliumscope-agents' },
];

/** Where an alert's panel lives: every alert links to the Cilium Scope datasource dashboard. */
export const ALERT_DASHBOARD_UID = DASHBOARD_UIDS.scope;
