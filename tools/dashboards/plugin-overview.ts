/**
 * The first row of the Cilium Scope dashboard: one stat per question an SRE asks first (is anything down, stuck,
 * unmanaged, dropping unusually, failing to import policy, slow to regenerate, behind on policy?), each coloured by
 * its thresholds and linked to the panel that explains it. Every stat is one number the exporter computes for the
 * whole selection, so the row costs a few series whatever the cluster's size.
 */
import type { ScopeQuery } from '../../src/contract';
import {
  type DatasourceRef,
  type Json,
  type SizedPanel,
  color,
  overrideByName,
  overrideByRegexp,
  stat,
  steps,
  withPanelLinks,
  withStatFields,
  type StatSpec,
} from './grafana';
import { DASHBOARD_UIDS, PANEL_IDS as P } from './ids';
import { overviewStat } from './overview-stat';
import { DIRECTION_VAR, NODE_VAR, REASON_VAR } from './shared';

const q = (query: ScopeQuery): Json => ({ ...query });

/** A single-value stat's value named inside it (the title says what it is about, the name what it counts). */
const named = (name: string) => ({
  textMode: 'value_and_name' as const,
  overrides: [overrideByRegexp('.*', { displayName: name })],
});


export function pluginOverviewRow(ds: DatasourceRef): SizedPanel[] {
  return [
    overviewStat(
      DASHBOARD_UIDS.scope,
      {
        id: P.overviewTargets,
        title: 'Targets',
        description:
          'Agents and the operator the exporter scraped successfully at the end of the range, how many it scrapes, ' +
          'and how many failed their last scrape (red from 1): a target down is a node the dashboard is blind on. ' +
          'Query: agentHealth, view up.',
        targets: [q({ refId: 'A', queryType: 'agentHealth', view: 'up', node: NODE_VAR })],
        textMode: 'value_and_name',
        decimals: 0,
        transformations: [
          {
            id: 'calculateField',
            options: {
              mode: 'binary',
              binary: { left: 'targets up', operator: '+', right: 'targets down' },
              alias: 'of',
              replaceFields: false,
            },
          },
        ],
        overrides: [
          overrideByName('targets up', { displayName: 'up', color: { mode: 'fixed', fixedColor: color.ok } }),
          overrideByName('of', { color: { mode: 'fixed', fixedColor: 'text' } }),
          overrideByName('targets down', {
            displayName: 'down',
            thresholds: { mode: 'absolute', steps: steps(color.ok, [1, color.bad]) },
            color: { mode: 'thresholds' },
          }),
        ],
      },
      { panelId: P.agents, title: 'Agents' },
      ds
    ),
    withStatFields(
      overviewStat(
        DASHBOARD_UIDS.scope,
        {
          id: P.overviewNotReady,
          title: 'Endpoints',
          description:
            'Endpoints stuck out of ready: on each node, the fewest not ready over the last ten minutes, summed (as the ' +
            'endpoints-not-ready alert counts them), so the endpoints a regeneration or a new pod passes through do not ' +
            'count, those that stayed do. Red from 1. Query: endpoints, view notReady.',
          targets: [q({ refId: 'A', queryType: 'endpoints', view: 'notReady', node: NODE_VAR })],
        },
        { panelId: P.endpointsByState, title: 'Endpoints not ready' },
        ds
      ),
      '/^stuck not ready/'
    ),
    overviewStat(
      DASHBOARD_UIDS.scope,
      {
        id: P.overviewUnmanaged,
        title: 'Pods',
        description:
          'Running or Pending pods (not hostNetwork) without a CiliumEndpoint, at the end of the range: pods without ' +
          'Cilium policy or visibility. Red from 1. Query: unmanagedPods, view count.',
        targets: [q({ refId: 'A', queryType: 'unmanagedPods', view: 'count', node: NODE_VAR })],
        ...named('unmanaged'),
      },
      { panelId: P.unmanagedPods, title: 'Unmanaged pods' },
      ds
    ),
    withStatFields(
      overviewStat(
        DASHBOARD_UIDS.scope,
        {
          id: P.overviewDrops,
          title: 'Drops',
          description:
            "The cluster's drop rate at the end of the range and how it compares with the anomaly detector's " +
            'baselines summed over the same series: about 1× is usual, orange from 2×, red from 5×. Query: anomaly, view summary.',
          targets: [
            q({
              refId: 'A',
              queryType: 'anomaly',
              view: 'summary',
              node: NODE_VAR,
              direction: DIRECTION_VAR,
              reason: REASON_VAR,
            }),
          ],
          textMode: 'value_and_name',
          overrides: [
            overrideByName('drop rate', { unit: 'pps', decimals: 1, color: { mode: 'fixed', fixedColor: 'text' } }),
            overrideByName('vs baseline', {
              decimals: 1,
              thresholds: { mode: 'absolute', steps: steps(color.ok, [2, color.warn], [5, color.bad]) },
              color: { mode: 'thresholds' },
            }),
          ],
        },
        { panelId: P.anomalyBands, title: 'Drop anomaly bands' },
        ds
      ),
      '/^(drop rate|vs baseline)$/'
    ),
    withStatFields(
      overviewStat(
        DASHBOARD_UIDS.scope,
        {
          id: P.overviewAnomalies,
          title: 'Anomalies',
          description:
            'Drop series (node × direction × reason) whose anomaly score is 1 or more at the end of the range: above ' +
            'their band for consecutive scrapes. Red from 1. Query: anomaly, view summary.',
          targets: [
            q({
              refId: 'A',
              queryType: 'anomaly',
              view: 'summary',
              node: NODE_VAR,
              direction: DIRECTION_VAR,
              reason: REASON_VAR,
            }),
          ],
        },
        { panelId: P.anomalyScores, title: 'Drop series outside their band' },
        ds
      ),
      '/^anomalous series$/'
    ),
    overviewStat(
      DASHBOARD_UIDS.scope,
      {
        id: P.overviewImportErrors,
        title: 'Policy imports',
        description:
          'Failed policy imports over the whole range, all selected nodes: each is a policy some agent does not ' +
          'enforce. Red from 1. Query: policy, view importErrorsInRange.',
        targets: [q({ refId: 'A', queryType: 'policy', view: 'importErrorsInRange', node: NODE_VAR })],
        ...named('failed in range'),
      },
      { panelId: P.policyImportErrors, title: 'Policy import errors' },
      ds
    ),
    overviewStat(
      DASHBOARD_UIDS.scope,
      {
        id: P.overviewRegeneration,
        title: 'Regeneration',
        description:
          '99th percentile of endpoint regeneration time over the selected nodes, at the last step with ' +
          'regenerations. Orange from 10 s (new pods wait noticeably), red from 30 s. Query: regeneration, view latency.',
        targets: [q({ refId: 'A', queryType: 'regeneration', view: 'latency', quantiles: [0.99], node: NODE_VAR })],
        unit: 's',
        decimals: 2,
        thresholds: steps(color.ok, [10, color.warn], [30, color.bad]),
        ...named('p99'),
      },
      { panelId: P.regenerationTime, title: 'Endpoint regeneration time' },
      ds
    ),
    overviewStat(
      DASHBOARD_UIDS.scope,
      {
        id: P.overviewRevisionSkew,
        title: 'Policy revision',
        description:
          'Policy changes the furthest-behind node has not applied that another node has, counted since the start of ' +
          'the range, at its end. Red from 1: a node runs older policy. Query: policy, view revisionSkew.',
        targets: [q({ refId: 'A', queryType: 'policy', view: 'revisionSkew', node: NODE_VAR })],
        ...named('changes behind'),
      },
      { panelId: P.policyRevision, title: 'Policy revision skew' },
      ds
    ),
  ];
}
