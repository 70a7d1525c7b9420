/**
 * The first row: one stat per question an SRE asks first (is anything down, stuck, unmanaged, dropping unusually,
 * failing to import policy, slow to regenerate, behind on policy?), each coloured by its thresholds and linked to the
 * panel that explains it. Every stat is one number over the whole selection, so the row costs a few series whatever
 * the cluster's size.
 */
import { color, fixedColor, overrideByName, steps } from '../grafana';
import { PANEL_IDS as P, ROW_IDS } from '../ids';
import {
  DROPS,
  DROP_SELECTOR,
  IMPORT_ERRORS,
  NODE,
  STUCK_NOT_READY,
  TARGETS_DOWN,
  TARGETS_UP,
  appliedPolicyChanges,
  regenerationQuantile,
} from '../promql';
import { DROP_FILTERS, NODE_VAR } from '../scope-query';
import { STUCK_LEGEND, TARGETS_DOWN_LEGEND, TARGETS_UP_LEGEND } from '../shared';
import type { RowDef } from './table';

/** The anomaly detector's summary: drop rate, its ratio to the baselines, and the anomalous series. */
/** "of": how many targets, in the text colour. */
const OF_IN_TEXT = overrideByName('of', { color: fixedColor('text') });

const ANOMALY_SUMMARY = { refId: 'A', queryType: 'anomaly', view: 'summary', ...DROP_FILTERS } as const;

export const OVERVIEW: RowDef = {
  id: ROW_IDS.overview,
  title: 'Overview',
  panels: [
    {
      kind: 'overview',
      id: P.overviewTargets,
      title: 'Targets',
      explains: P.agents,
      description:
        'Agents and the operator the exporter scraped successfully at the end of the range, how many it scrapes, ' +
        'and how many failed their last scrape (red from 1): a target down is a node the dashboard is blind on.',
      scope: {
        targets: [{ refId: 'A', queryType: 'agentHealth', view: 'up', node: NODE_VAR }],
        source: 'Query: agentHealth, view up.',
        differs: {
          // The exporter names its series "targets up" and "targets down": shown as up and down.
          overrides: [
            overrideByName(TARGETS_UP_LEGEND, { displayName: 'up', color: fixedColor(color.ok) }),
            OF_IN_TEXT,
            overrideByName(TARGETS_DOWN_LEGEND, {
              displayName: 'down',
              thresholds: { mode: 'absolute', steps: steps(color.ok, [1, color.bad]) },
              color: { mode: 'thresholds' },
            }),
          ],
          // It answers up and down; "of" is their sum.
          transformations: [
            {
              id: 'calculateField',
              options: {
                mode: 'binary',
                binary: { left: TARGETS_UP_LEGEND, operator: '+', right: TARGETS_DOWN_LEGEND },
                alias: 'of',
                replaceFields: false,
              },
            },
          ],
        },
      },
      prometheus: {
        targets: [
          { refId: 'A', expr: TARGETS_UP, legendFormat: 'up' },
          { refId: 'B', expr: TARGETS_DOWN, legendFormat: 'down' },
          { refId: 'C', expr: `count(ciliumscope_target_up{${NODE}})`, legendFormat: 'of' },
        ],
        source: 'Series: ciliumscope_target_up.',
        // Named up and down by the legend; down takes the stat's thresholds (red from 1).
        differs: { overrides: [overrideByName('up', { color: fixedColor(color.ok) }), OF_IN_TEXT] },
      },
    },
    {
      kind: 'overview',
      id: P.overviewNotReady,
      title: 'Endpoints',
      explains: P.endpointsByState,
      description:
        'Endpoints stuck out of ready: on each node, the fewest not ready over the last ten minutes, summed (as the ' +
        'endpoints-not-ready alert counts them), so the endpoints a regeneration or a new pod passes through do not ' +
        'count, those that stayed do. Red from 1.',
      scope: {
        targets: [{ refId: 'A', queryType: 'endpoints', view: 'notReady', node: NODE_VAR }],
        source: 'Query: endpoints, view notReady.',
        statFields: '/^stuck not ready/',
      },
      prometheus: {
        targets: [{ refId: 'A', expr: STUCK_NOT_READY, legendFormat: STUCK_LEGEND }],
        source: 'Series: ciliumscope_endpoints.',
      },
    },
    {
      kind: 'overview',
      id: P.overviewUnmanaged,
      title: 'Pods',
      explains: P.unmanagedPods,
      named: 'unmanaged',
      description:
        'Running or Pending pods (not hostNetwork) without a CiliumEndpoint, at the end of the range: pods without ' +
        'Cilium policy or visibility. Red from 1.',
      scope: {
        targets: [{ refId: 'A', queryType: 'unmanagedPods', view: 'count', node: NODE_VAR }],
        source: 'Query: unmanagedPods, view count.',
      },
      prometheus: {
        targets: [{ refId: 'A', expr: `sum(ciliumscope_unmanaged_pods{${NODE}}) or vector(0)` }],
        source: 'Series: ciliumscope_unmanaged_pods.',
      },
    },
    {
      kind: 'overview',
      id: P.overviewDrops,
      title: 'Drops',
      explains: P.anomalyBands,
      description:
        "The cluster's drop rate at the end of the range and how it compares with the anomaly detector's " +
        'baselines summed over the same series: about 1× is usual, orange from 2×, red from 5×.',
      decimals: 1,
      overrides: [
        overrideByName('drop rate', { unit: 'pps', color: { mode: 'fixed', fixedColor: 'text' } }),
        overrideByName('vs baseline', {
          unit: 'suffix:×',
          thresholds: { mode: 'absolute', steps: steps(color.ok, [2, color.warn], [5, color.bad]) },
        }),
      ],
      scope: {
        targets: [ANOMALY_SUMMARY],
        source: 'Query: anomaly, view summary.',
        statFields: '/^(drop rate|vs baseline)$/',
      },
      prometheus: {
        targets: [
          { refId: 'A', expr: `sum(rate(${DROPS}[$__rate_interval]))`, legendFormat: 'drop rate' },
          {
            refId: 'B',
            expr: `sum(rate(${DROPS}[$__rate_interval])) / ` + `sum(ciliumscope_drop_rate_baseline${DROP_SELECTOR})`,
            legendFormat: 'vs baseline',
          },
        ],
        source: 'Series: ciliumscope_dropped_packets_total, ciliumscope_drop_rate_baseline.',
      },
    },
    {
      kind: 'overview',
      id: P.overviewAnomalies,
      title: 'Anomalies',
      explains: P.anomalyScores,
      description:
        'Drop series (node × direction × reason) whose anomaly score is 1 or more at the end of the range: above ' +
        'their band for consecutive scrapes. Red from 1.',
      scope: {
        targets: [ANOMALY_SUMMARY],
        source: 'Query: anomaly, view summary.',
        statFields: '/^anomalous series$/',
      },
      prometheus: {
        targets: [
          {
            refId: 'A',
            expr: `count(ciliumscope_drop_anomaly_score${DROP_SELECTOR} >= 1) or vector(0)`,
            legendFormat: 'anomalous series',
          },
        ],
        source: 'Series: ciliumscope_drop_anomaly_score.',
      },
    },
    {
      kind: 'overview',
      id: P.overviewImportErrors,
      title: 'Policy imports',
      explains: P.policyImportErrors,
      named: 'failed in range',
      description:
        'Failed policy imports over the whole range, all selected nodes: each is a policy some agent does not ' +
        'enforce. Red from 1.',
      scope: {
        targets: [{ refId: 'A', queryType: 'policy', view: 'importErrorsInRange', node: NODE_VAR }],
        source: 'Query: policy, view importErrorsInRange.',
      },
      prometheus: {
        targets: [{ refId: 'A', expr: `sum(increase(${IMPORT_ERRORS}[$__range])) or vector(0)` }],
        source: 'Series: ciliumscope_policy_import_errors_total.',
      },
    },
    {
      kind: 'overview',
      id: P.overviewRegeneration,
      title: 'Regeneration',
      explains: P.regenerationTime,
      named: 'p99',
      description:
        '99th percentile of endpoint regeneration time over the selected nodes, at the last step with ' +
        'regenerations. Orange from 10 s (new pods wait noticeably), red from 30 s.',
      unit: 's',
      decimals: 2,
      thresholds: steps(color.ok, [10, color.warn], [30, color.bad]),
      scope: {
        targets: [{ refId: 'A', queryType: 'regeneration', view: 'latency', quantiles: [0.99], node: NODE_VAR }],
        source: 'Query: regeneration, view latency.',
      },
      prometheus: {
        targets: [{ refId: 'A', expr: regenerationQuantile(0.99) }],
        source: 'Series: ciliumscope_endpoint_regeneration_seconds_bucket.',
      },
    },
    {
      kind: 'overview',
      id: P.overviewRevisionSkew,
      title: 'Policy revision',
      explains: P.policyRevision,
      named: 'changes behind',
      description:
        'Policy changes the furthest-behind node has not applied that another node has, counted since the start of ' +
        'the range, at its end. Red from 1: a node runs older policy.',
      scope: {
        targets: [{ refId: 'A', queryType: 'policy', view: 'revisionSkew', node: NODE_VAR }],
        source: 'Query: policy, view revisionSkew.',
      },
      prometheus: {
        targets: [{ refId: 'A', expr: `max(${appliedPolicyChanges()}) - min(${appliedPolicyChanges()})` }],
        source: 'Series: ciliumscope_policy_max_revision.',
        // The skew sums a range of steps at every step: fewer points keep it cheap on a large cluster.
        differs: { maxDataPoints: 200 },
      },
    },
  ],
};
