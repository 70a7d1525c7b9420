/**
 * Views that answer one question each, per node or for the cluster: endpoints not ready, the pod/endpoint delta
 * alone, unmanaged pods over time, failed regenerations, how far a node's policy revision is behind, agents per
 * Cilium version and the cluster's drop rate against its baseline. They feed the overview's stats and the top-N
 * panels, where one series per node is what a panel can show for a thousand nodes.
 */
import type { DataFrameJSON, ScopeQuery } from '../../../src/contract';
import { SERIES } from '../../model/series';
import { emptyFrame, seriesFrame, tableFrame, withLabels } from './frames';
import { type QueryContext, groupedFrames, labelFilters, select, splitLabels } from './context';
import { type StepGrid, combine, groupBy, onGrid, reduceGroup } from './range';
import type { SeriesRange } from '../../history/store';
import { NORMAL_ENDPOINT_STATES } from './rank-signals';

const NO_SCRAPES = 'No endpoint data in this range: no agent has been scraped successfully yet.';

/** "<node> <what>" for a node's series, the cluster's own name otherwise. */
const named = (labels: Record<string, string>, what: string, cluster: string) =>
  labels.node ? `${labels.node} ${what}` : cluster;

/** How long endpoints must stay out of ready to count as stuck: the "endpoints not ready" alert's window. */
export const STUCK_WINDOW_MS = 10 * 60_000;

/** A node's endpoints out of ready at each step; 0 where it reported endpoints but none out of ready. */
function notReadyOf(members: SeriesRange[], grid: StepGrid): Array<number | null> {
  const reported = reduceGroup(members, grid, 'last', 'count');
  const notReady = reduceGroup(
    members.filter((s) => !NORMAL_ENDPOINT_STATES.has(s.labels.state)),
    grid,
    'last',
    'sum'
  );
  return reported.map((r, i) => (r === null ? null : (notReady[i] ?? 0)));
}

/** The fewest a series held over the trailing window at each step (what min_over_time gives), null without points. */
function trailingMin(values: Array<number | null>, windowSteps: number): Array<number | null> {
  return values.map((_, i) => {
    let min: number | null = null;
    for (let k = Math.max(0, i - windowSteps + 1); k <= i; k++) {
      const v = values[k];
      if (v !== null && (min === null || v < min)) {
        min = v;
      }
    }
    return min;
  });
}

/**
 * Endpoints in any state but ready (and the normal disconnecting ones), summed per node or over the cluster. For the
 * cluster also the endpoints stuck out of ready: each node's fewest over the last ten minutes, summed, so the
 * endpoints a regeneration or a new pod passes through (a thousand at any moment on a large churning cluster) do
 * not count, those that stayed do.
 */
export function endpointsNotReady(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  const series = select(ctx, SERIES.endpoints, labelFilters(q, ['node', 'state']));
  const perNode = [...groupBy(series, ['node']).values()].map(({ labels, members }) => ({
    node: labels.node,
    values: notReadyOf(members, ctx.grid),
  }));
  if (perNode.length === 0) {
    return [emptyFrame(q.refId, NO_SCRAPES)];
  }
  const steps = ctx.grid.times.length;
  const description =
    'Endpoints in a state other than ready (waiting-for-identity, regenerating, not-ready, ...); disconnecting and disconnected endpoints are leaving and do not count.';
  const frame = (values: Array<number | null>, labels: Record<string, string>, name: string, text = description) =>
    seriesFrame({
      refId: q.refId,
      times: ctx.grid.times,
      values,
      labels,
      config: { displayNameFromDS: name, unit: 'none', decimals: 0, description: text },
    });
  if (q.groupBy === 'node') {
    return perNode.map((n) => frame(n.values, { node: n.node }, `${n.node} not ready`));
  }
  const windowSteps = Math.max(1, Math.round(STUCK_WINDOW_MS / ctx.grid.step));
  const stuck = combine(
    perNode.map((n) => trailingMin(n.values, windowSteps)),
    'sum',
    steps
  );
  return [
    frame(
      combine(
        perNode.map((n) => n.values),
        'sum',
        steps
      ),
      {},
      'endpoints not ready'
    ),
    frame(
      stuck,
      { series: 'stuck' },
      'stuck not ready (10 min)',
      "Endpoints that stayed out of ready for the last ten minutes: each node's fewest not ready over that window, summed (as the endpoints-not-ready alert counts them)."
    ),
  ];
}

/** Pods minus pod endpoints per node or summed, without the two counts it is made of. */
export function podEndpointDeltaOnly(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  const frames = groupedFrames(ctx, {
    refId: q.refId,
    series: select(ctx, SERIES.endpointPodDelta, labelFilters(q, ['node'])),
    by: splitLabels(q, []),
    within: 'last',
    across: 'sum',
    config: (l) => ({
      displayNameFromDS: named(l, 'delta', 'delta'),
      unit: 'none',
      decimals: 0,
      description: 'Pods minus pod endpoints: above 0, pods Cilium does not manage.',
    }),
  }).map((f) => withLabels(f, { series: 'delta' }));
  const kube = ctx.kube
    ? 'No pod or endpoint data in this range yet.'
    : 'Kubernetes is not configured (--kubeconfig or in-cluster): pods cannot be counted.';
  return frames.length ? frames : [emptyFrame(q.refId, kube)];
}

/** Unmanaged pods over time, per node or summed (the Kubernetes join's count per cycle). */
export function unmanagedPodCount(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  if (!ctx.kube) {
    return [
      emptyFrame(
        q.refId,
        'Kubernetes is not configured (--kubeconfig or in-cluster): unmanaged pods cannot be counted.'
      ),
    ];
  }
  const frames = groupedFrames(ctx, {
    refId: q.refId,
    series: select(ctx, SERIES.unmanagedPods, labelFilters(q, ['node'])),
    by: splitLabels(q, []),
    within: 'last',
    across: 'sum',
    config: (l) => ({
      displayNameFromDS: named(l, 'unmanaged pods', 'unmanaged pods'),
      unit: 'none',
      decimals: 0,
      description: 'Running or Pending pods (not hostNetwork) without a CiliumEndpoint.',
      thresholds: {
        mode: 'absolute',
        steps: [
          { value: null, color: 'green' },
          { value: 1, color: 'red' },
        ],
      },
    }),
  });
  return frames.length ? frames : [emptyFrame(q.refId, 'No Kubernetes join in this range yet.')];
}

/** Failed regenerations per second, per node or summed. */
export function regenerationFailures(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  const match = labelFilters(q, ['node']);
  const frames = groupedFrames(ctx, {
    refId: q.refId,
    series: select(ctx, SERIES.regenerationRate, (l) => l.outcome === 'failure' && match(l)),
    by: splitLabels(q, ['outcome']),
    within: 'mean',
    across: 'sum',
    config: (l) => ({
      displayNameFromDS: named(l, 'failures', 'failed regenerations'),
      unit: 'ops',
      description: 'Endpoint regenerations per second that failed.',
      thresholds: {
        mode: 'absolute',
        steps: [
          { value: null, color: 'green' },
          { value: 0.001, color: 'red' },
        ],
      },
    }),
  });
  return frames.length
    ? frames
    : [emptyFrame(q.refId, 'No regenerations in this range (rates need two scrapes of an agent).')];
}

/**
 * Policy changes applied since the start of the range, step by step: the sum of a revision's increases. A drop
 * (the agent restarted and counts from its own start again) adds nothing, so a restart does not read as a node
 * falling behind.
 */
function appliedChanges(values: Array<number | null>): Array<number | null> {
  let applied = 0;
  let previous: number | null = null;
  return values.map((v) => {
    if (v === null) {
      return null;
    }
    if (previous !== null && v > previous) {
      applied += v - previous;
    }
    previous = v;
    return applied;
  });
}

/**
 * How many policy changes each node is behind the node that applied the most since the start of the range, step by
 * step (newest minus each node's). Revision levels differ between agents, each counting from its own start, so the
 * changes are compared, not the levels. Grouped by cluster: the largest skew of any node.
 */
export function policyRevisionSkew(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  const perNode = [...groupBy(select(ctx, SERIES.policyMaxRevision, labelFilters(q, ['node'])), ['node']).values()].map(
    ({ labels, members }) => ({
      node: labels.node,
      applied: appliedChanges(reduceGroup(members, ctx.grid, 'last', 'max')),
    })
  );
  if (perNode.length === 0) {
    return [emptyFrame(q.refId, 'No policy data in this range yet.')];
  }
  const steps = ctx.grid.times.length;
  const newest = combine(
    perNode.map((n) => n.applied),
    'max',
    steps
  );
  const skews = perNode.map((n) => ({
    node: n.node,
    values: n.applied.map((a, i) => (a === null || newest[i] === null ? null : newest[i]! - a)),
  }));
  const description =
    'Policy changes this node has not applied that the most advanced node has, counted since the start of the range (a node restarting counts on from where it was). Above 0 for long: look for import errors on the node.';
  const config = (name: string) => ({
    displayNameFromDS: name,
    unit: 'none',
    decimals: 0,
    min: 0,
    description,
    thresholds: {
      mode: 'absolute' as const,
      steps: [
        { value: null, color: 'green' },
        { value: 1, color: 'red' },
      ],
    },
  });
  if (q.groupBy !== 'node') {
    const values = combine(
      skews.map((s) => s.values),
      'max',
      steps
    );
    return [
      seriesFrame({
        refId: q.refId,
        times: ctx.grid.times,
        values,
        labels: {},
        config: config('largest revision skew'),
      }),
    ];
  }
  return skews.map((s) =>
    seriesFrame({
      refId: q.refId,
      times: ctx.grid.times,
      values: s.values,
      labels: { node: s.node },
      config: config(`${s.node} revision skew`),
    })
  );
}

/** How many agents run each Cilium version, most common first. */
export function agentVersions(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  const match = labelFilters(q, ['node']);
  const counts = new Map<string, number>();
  for (const n of ctx.model.nodes()) {
    if (match({ node: n.name })) {
      const version = n.sample?.ciliumVersion || 'unknown';
      counts.set(version, (counts.get(version) ?? 0) + 1);
    }
  }
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return [
    tableFrame(
      q.refId,
      'Cilium versions',
      [
        { name: 'Cilium version', type: 'string', values: rows.map((r) => r[0]) },
        { name: 'Agents', type: 'number', values: rows.map((r) => r[1]), config: { decimals: 0 } },
      ],
      rows.length ? undefined : 'No agent has been scraped yet.'
    ),
  ];
}

/**
 * The drop rate of the selected series against the detector's view of them, summed: the rate, its baseline and upper
 * band (packets per second), the rate over the baseline, and how many series are anomalous (score at least 1) at
 * each step.
 */
export function anomalySummary(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  const match = labelFilters(q, ['node', 'direction', 'reason']);
  const scores = select(ctx, SERIES.dropAnomalyScore, match);
  if (!scores.length) {
    return [
      emptyFrame(
        q.refId,
        'The drop anomaly detector has no data yet: it needs a few scrapes of each agent to build a baseline.'
      ),
    ];
  }
  const steps = ctx.grid.times.length;
  const summed = (
    metric: string,
    within: 'mean' | 'last',
    extra: (l: Record<string, string>) => boolean = () => true
  ) =>
    reduceGroup(
      select(ctx, metric, (l) => match(l) && extra(l)),
      ctx.grid,
      within,
      'sum'
    );
  const anomalous = combine(
    scores.map((s) => onGrid(s, ctx.grid, 'max').map((v) => (v === null ? null : v >= 1 ? 1 : 0))),
    'sum',
    steps
  );
  const frame = (series: string, values: Array<number | null>, name: string, unit: string, description: string) =>
    seriesFrame({
      refId: q.refId,
      times: ctx.grid.times,
      values,
      labels: { series },
      config: { displayNameFromDS: name, unit, description },
    });
  const rate = summed(SERIES.droppedRate, 'mean', (l) => l.unit === 'packets');
  const baseline = summed(SERIES.dropRateBaseline, 'mean');
  const ratio = rate.map((r, i) => (r === null || !baseline[i] ? null : r / baseline[i]!));
  return [
    frame('rate', rate, 'drop rate', 'pps', 'Dropped packets per second.'),
    frame('baseline', baseline, 'baseline', 'pps', "The detector's baselines, summed: the drop rate it expects."),
    frame('upper band', summed(SERIES.dropRateUpperBand, 'mean'), 'upper band', 'pps', 'The upper bands, summed.'),
    frame(
      'ratio',
      ratio,
      'vs baseline',
      'suffix:×',
      'The drop rate over its baseline: 1× is what the detector expects, well above it is unusual.'
    ),
    frame(
      'anomalous',
      anomalous,
      'anomalous series',
      'none',
      'Drop series (node × direction × reason) with an anomaly score of 1 or more.'
    ),
  ];
}
