/** The Policy row: revision skew, import errors, policies per node and enforcement modes. */
import { color, fixedColor, overrideByName, overrideByRegexp, steps } from '../grafana';
import { PANEL_IDS as P, ROW_IDS } from '../ids';
import { IMPORT_ERRORS, NODE, counterTopNodes, overRange, revisionSkew, topNodes } from '../promql';
import { NODE_VAR, clusterAndTopNodes } from '../scope-query';
import { TOP_LEGEND, perNodeEventBars } from '../shared';
import type { RowDef } from './table';

const POLICIES = `ciliumscope_policies{${NODE}}`;

export const POLICY: RowDef = {
  id: ROW_IDS.policy,
  title: 'Policy',
  panels: [
    {
      kind: 'timeseries',
      id: P.policyRevision,
      title: 'Policy revision skew',
      description:
        'Policy changes a node has not applied that the most advanced node has, counted since the start of the ' +
        'range: the largest over the selected nodes, and the $topn nodes furthest behind. Agents count revisions ' +
        'from their own start, so their levels are not compared, only the changes (an agent that restarts counts on ' +
        'from where it was). Above 0 for long: look for import errors on that node.',
      w: 12,
      h: 8,
      unit: 'none',
      decimals: 0,
      min: 0,
      thresholds: steps(color.ok, [1, color.bad]),
      thresholdsStyle: 'dashed',
      legend: TOP_LEGEND,
      overrides: [overrideByName('largest revision skew', { 'custom.lineWidth': 2, color: fixedColor(color.bad) })],
      nodeLinks: 'series',
      scope: {
        targets: clusterAndTopNodes({ queryType: 'policy', view: 'revisionSkew', node: NODE_VAR }, false),
        source: 'Query: policy, view revisionSkew (B: grouped by node, top N).',
      },
      prometheus: {
        targets: [
          { refId: 'A', expr: `max(${revisionSkew()})`, legendFormat: 'largest revision skew' },
          {
            refId: 'B',
            expr: topNodes(revisionSkew(), overRange('max', revisionSkew())),
            legendFormat: '{{node}} revision skew',
          },
        ],
        source: 'Series: ciliumscope_policy_max_revision{node}.',
        // The skew sums a range of steps at every step: fewer points keep it cheap on a large cluster.
        differs: { maxDataPoints: 200 },
      },
    },
    {
      kind: 'timeseries',
      id: P.policyImportErrors,
      title: 'Policy import errors',
      description:
        'Failed policy imports within the rate window ending at each bar over the selected nodes, and on the $topn ' +
        'nodes with the most in the range, the rest summed (cilium_policy_import_errors_total on old agents, ' +
        'cilium_policy_change_total{outcome="failure"} on new ones). Any error means a policy is not enforced on ' +
        'that node: read the agent log for the rejected policy.',
      w: 12,
      h: 8,
      ...perNodeEventBars('count', 1),
      // One colour per node: a bar of one error reaches exactly the threshold, so threshold colours would draw it green.
      colorMode: 'palette-classic',
      nodeLinks: 'series',
      scope: {
        targets: clusterAndTopNodes({ queryType: 'policy', view: 'importErrors', node: NODE_VAR }),
        source: 'Query: policy, view importErrors (B: grouped by node, top N).',
      },
      prometheus: {
        targets: counterTopNodes(IMPORT_ERRORS, 'increase', {
          cluster: 'policy import errors',
          name: 'policy import errors',
        }),
        source: 'Series: ciliumscope_policy_import_errors_total{node}.',
      },
    },
    {
      kind: 'timeseries',
      id: P.policiesPerNode,
      title: 'Policies per node',
      description:
        'Network policies loaded in the agents: the most and the fewest over the selected nodes, and the $topn nodes ' +
        'with the fewest in the range. Policies are cluster objects, so every node should show the same number; a ' +
        'node below the others has not imported the latest change.',
      w: 12,
      h: 8,
      unit: 'none',
      decimals: 0,
      legend: { ...TOP_LEGEND, calcs: ['min', 'lastNotNull'], sortBy: 'Min', sortDesc: false },
      nodeLinks: 'series',
      scope: {
        targets: clusterAndTopNodes({ queryType: 'policy', view: 'count', node: NODE_VAR }, false),
        source: 'Query: policy, view count (B: grouped by node, top N).',
      },
      prometheus: {
        targets: [
          { refId: 'A', expr: `max(${POLICIES})`, legendFormat: 'policies (max over nodes)' },
          {
            refId: 'B',
            expr: topNodes(
              `sum by (node) (${POLICIES})`,
              `min by (node) (min_over_time(${POLICIES}[$__range] @ end()))`,
              true
            ),
            legendFormat: '{{node}} policies',
          },
          { refId: 'C', expr: `min(${POLICIES})`, legendFormat: 'policies (min over nodes)' },
        ],
        source: 'Series: ciliumscope_policies{node}.',
      },
    },
    {
      kind: 'timeseries',
      id: P.enforcement,
      title: 'Policy enforcement status',
      description:
        'Endpoints by policy enforcement mode: none (no policy selects them, all traffic allowed), ingress, egress, ' +
        'both, and the audit modes (policy evaluated but not enforced).',
      w: 12,
      h: 8,
      unit: 'none',
      decimals: 0,
      stack: true,
      overrides: [
        overrideByRegexp('.*none$', { color: fixedColor('gray') }),
        overrideByRegexp('.*audit.*', { color: fixedColor(color.warn) }),
      ],
      scope: {
        targets: [{ refId: 'A', queryType: 'policy', view: 'enforcement', node: NODE_VAR }],
        source: 'Query: policy, view enforcement.',
      },
      prometheus: {
        targets: [
          {
            refId: 'A',
            expr: `sum by (enforcement) (ciliumscope_policy_enforcement_endpoints{${NODE}})`,
            legendFormat: '{{enforcement}}',
          },
        ],
        source: 'Series: ciliumscope_policy_enforcement_endpoints{node,enforcement}.',
      },
    },
  ],
};
