/**
 * The first row of the Prometheus dashboard: the questions of the Cilium Scope dashboard's overview, answered from
 * the exporter's `ciliumscope_*` series, each one number over the selected nodes (a few series whatever the
 * cluster's size), coloured by its thresholds and linked to the panel that explains it.
 */
import {
  type DatasourceRef,
  type SizedPanel,
  color,
  overrideByName,
  stat,
  steps,
  withPanelLinks,
  type StatSpec,
} from './grafana';
import { DASHBOARD_UIDS, PANEL_IDS as P } from './ids';
import { overviewStat } from './overview-stat';
import { appliedPolicyChanges, DIRECTION, NODE, REASON, STUCK_NOT_READY } from './promql';
import { promTarget } from './prometheus-target';

const DROPS = `ciliumscope_dropped_packets_total{${NODE}, ${DIRECTION}, ${REASON}}`;


export function prometheusOverviewRow(ds: DatasourceRef): SizedPanel[] {
  return [
    overviewStat(
      DASHBOARD_UIDS.prometheus,
      {
        id: P.overviewTargets,
        title: 'Targets',
        description:
          'Agents and the operator whose last scrape succeeded, how many the exporter scrapes, and how many failed ' +
          'their last scrape (red from 1). Series: ciliumscope_target_up.',
        targets: [
          promTarget({ refId: 'A', expr: `count(ciliumscope_target_up{${NODE}} == 1) or vector(0)`, legendFormat: 'up' }),
          promTarget({ refId: 'B', expr: `count(ciliumscope_target_up{${NODE}} == 0) or vector(0)`, legendFormat: 'down' }),
          promTarget({ refId: 'C', expr: `count(ciliumscope_target_up{${NODE}})`, legendFormat: 'of' }),
        ],
        overrides: [
          overrideByName('up', { color: { mode: 'fixed', fixedColor: color.ok } }),
          overrideByName('of', { color: { mode: 'fixed', fixedColor: 'text' } }),
        ],
      },
      { panelId: P.agents, title: 'Agents' },
      ds
    ),
    overviewStat(
      DASHBOARD_UIDS.prometheus,
      {
        id: P.overviewNotReady,
        title: 'Endpoints',
        description:
          'Endpoints stuck out of ready: on each node, the fewest not ready over the last ten minutes, summed (as the ' +
          'endpoints-not-ready alert counts them). Red from 1. Series: ciliumscope_endpoints.',
        targets: [promTarget({ refId: 'A', expr: STUCK_NOT_READY, legendFormat: 'stuck not ready' })],
      },
      { panelId: P.endpointsByState, title: 'Endpoints not ready' },
      ds
    ),
    overviewStat(
      DASHBOARD_UIDS.prometheus,
      {
        id: P.overviewUnmanaged,
        title: 'Pods',
        description:
          'Running or Pending pods (not hostNetwork) without a CiliumEndpoint, at the end of the range. Red from 1. ' +
          'Series: ciliumscope_unmanaged_pods.',
        targets: [
          promTarget({
            refId: 'A',
            expr: `sum(ciliumscope_unmanaged_pods{${NODE}}) or vector(0)`,
            legendFormat: 'unmanaged',
          }),
        ],
      },
      { panelId: P.unmanagedPods, title: 'Unmanaged pods per node' },
      ds
    ),
    overviewStat(
      DASHBOARD_UIDS.prometheus,
      {
        id: P.overviewDrops,
        title: 'Drops',
        description:
          "The drop rate at the end of the range and how it compares with the anomaly detector's baselines summed over " +
          'the same series: about 1× is usual, orange from 2×, red from 5×. Series: ciliumscope_dropped_packets_total, ' +
          'ciliumscope_drop_rate_baseline.',
        targets: [
          promTarget({ refId: 'A', expr: `sum(rate(${DROPS}[$__rate_interval]))`, legendFormat: 'drop rate' }),
          promTarget({
            refId: 'B',
            expr:
              `sum(rate(${DROPS}[$__rate_interval])) / ` +
              `sum(ciliumscope_drop_rate_baseline{${NODE}, ${DIRECTION}, ${REASON}})`,
            legendFormat: 'vs baseline',
          }),
        ],
        decimals: 1,
        overrides: [
          overrideByName('drop rate', { unit: 'pps', color: { mode: 'fixed', fixedColor: 'text' } }),
          overrideByName('vs baseline', {
            unit: 'suffix:×',
            thresholds: { mode: 'absolute', steps: steps(color.ok, [2, color.warn], [5, color.bad]) },
          }),
        ],
      },
      { panelId: P.anomalyBands, title: 'Drop anomaly bands' },
      ds
    ),
    overviewStat(
      DASHBOARD_UIDS.prometheus,
      {
        id: P.overviewAnomalies,
        title: 'Anomalies',
        description:
          'Drop series (node × direction × reason) whose anomaly score is 1 or more at the end of the range. Red from 1. ' +
          'Series: ciliumscope_drop_anomaly_score.',
        targets: [
          promTarget({
            refId: 'A',
            expr: `count(ciliumscope_drop_anomaly_score{${NODE}, ${DIRECTION}, ${REASON}} >= 1) or vector(0)`,
            legendFormat: 'drop series now',
          }),
        ],
      },
      { panelId: P.anomalyScores, title: 'Drop series outside their band' },
      ds
    ),
    overviewStat(
      DASHBOARD_UIDS.prometheus,
      {
        id: P.overviewImportErrors,
        title: 'Policy imports',
        description:
          'Failed policy imports over the whole range, all selected nodes. Red from 1. Series: ' +
          'ciliumscope_policy_import_errors_total.',
        targets: [
          promTarget({
            refId: 'A',
            expr: `sum(increase(ciliumscope_policy_import_errors_total{${NODE}}[$__range])) or vector(0)`,
            legendFormat: 'failed in range',
          }),
        ],
      },
      { panelId: P.policyImportErrors, title: 'Policy import errors' },
      ds
    ),
    overviewStat(
      DASHBOARD_UIDS.prometheus,
      {
        id: P.overviewRegeneration,
        title: 'Regeneration',
        description:
          '99th percentile of endpoint regeneration time over the selected nodes, at the last step with regenerations. ' +
          'Orange from 10 s, red from 30 s. Series: ciliumscope_endpoint_regeneration_seconds_bucket.',
        targets: [
          promTarget({
            refId: 'A',
            expr: `histogram_quantile(0.99, sum by (le) (rate(ciliumscope_endpoint_regeneration_seconds_bucket{${NODE}}[$__rate_interval])))`,
            legendFormat: 'p99',
          }),
        ],
        unit: 's',
        decimals: 2,
        thresholds: steps(color.ok, [10, color.warn], [30, color.bad]),
      },
      { panelId: P.regenerationTime, title: 'Endpoint regeneration time' },
      ds
    ),
    overviewStat(
      DASHBOARD_UIDS.prometheus,
      {
        id: P.overviewRevisionSkew,
        title: 'Policy revision',
        description:
          'Policy changes the furthest-behind node has not applied that another node has, counted since the start of ' +
          'the range, at its end. Red from 1. Series: ciliumscope_policy_max_revision.',
        targets: [
          promTarget({
            refId: 'A',
            expr: `max(${appliedPolicyChanges()}) - min(${appliedPolicyChanges()})`,
            legendFormat: 'changes behind',
          }),
        ],
        maxDataPoints: 200,
      },
      { panelId: P.policyRevision, title: 'Policy revision skew' },
      ds
    ),
  ];
}
