/**
 * Views that answer one question each, per node or for the cluster: endpoints not ready, the pod/endpoint delta
 * alone, unmanaged pods over time, failed regenerations, import errors over the range, how far a node's policy
 * revision is behind, agents per Cilium version and the drop rate against its baseline. They feed the overview's
 * stats and the top-N panels, where one series per node is what a panel can show for a thousand nodes. What each
 * reads is in promql-table.ts; what is computed here is arithmetic on those series, the same from either backend.
 */
import type { DataFrameJSON, FieldConfigJSON, ScopeQuery } from '../../../src/contract';
import type { GridSeries } from '../../history/backend';
import { gridEnd, instantGrid } from '../../history/grid';
import { SERIES } from '../../model/series';
import { emptyFrame, seriesFrame, tableFrame, withNotice } from './frames';
import { type QueryContext, read, seriesFrames } from './context';
import { topNotice } from './limit';
import { TABLE } from './promql-table';
import { filterSet } from './validate';

const NO_SCRAPES = 'No endpoint data in this range: no agent has been scraped successfully yet.';

const RED_FROM = (value: number) => ({
  mode: 'absolute' as const,
  steps: [
    { value: null, color: 'green' },
    { value, color: 'red' },
  ],
});

/** "<node> <what>" for a node's series, the cluster's own name otherwise. */
const named = (labels: Record<string, string>, what: string, cluster: string) =>
  labels.node ? `${labels.node} ${what}` : cluster;

/** How long endpoints must stay out of ready to count as stuck: the "endpoints not ready" alert's window. */
export const STUCK_WINDOW_MS = 10 * 60_000;

/** Step-wise sum (or max) of rows, null where none has a value. */
function combine(
  rows: ReadonlyArray<ReadonlyArray<number | null>>,
  steps: number,
  how: 'sum' | 'max' = 'sum'
): Array<number | null> {
  const out: Array<number | null> = new Array(steps).fill(null);
  for (const row of rows) {
    row.forEach((v, i) => {
      if (v !== null) {
        const cur = out[i];
        out[i] = cur === null ? v : how === 'sum' ? cur + v : Math.max(cur, v);
      }
    });
  }
  return out;
}

/** The fewest a series held over the trailing window at each step (null without points). */
function trailingMin(values: ReadonlyArray<number | null>, windowSteps: number): Array<number | null> {
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
 * Endpoints in any state but ready (and the normal disconnecting ones), per node or summed; 0 where a node reported
 * endpoints but none out of ready. For the cluster also the endpoints stuck out of ready: each node's fewest over
 * the last ten minutes, summed, so the endpoints a regeneration or a new pod passes through (a thousand at any
 * moment on a large churning cluster) do not count, those that stayed do.
 */
export async function endpointsNotReady(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const steps = ctx.grid.times.length;
  const windowSteps = Math.max(1, Math.round(STUCK_WINDOW_MS / ctx.grid.step));
  // At a step of ten minutes or more a node's fewest over the window is its value at the step, so the cluster's stuck
  // series is its sum: the backend sums the nodes (over 30 days of 1,000 nodes, 2 series read instead of 2,000).
  const perNodeRead = q.groupBy === 'node' || windowSteps > 1;
  const { notReady, reported } = await read(ctx, TABLE.endpointsNotReady(q, perNodeRead ? ['node'] : []));
  if (!reported.length) {
    return [emptyFrame(q.refId, NO_SCRAPES)];
  }
  const counts = new Map(notReady.map((s) => [s.labels.node, s.values]));
  const perNode = reported.map((r) => ({
    node: r.labels.node,
    values: r.values.map((v, i) => (v === null ? null : (counts.get(r.labels.node)?.[i] ?? 0))),
  }));
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
  const total = combine(
    perNode.map((n) => n.values),
    steps
  );
  const stuck = perNodeRead
    ? combine(
        perNode.map((n) => trailingMin(n.values, windowSteps)),
        steps
      )
    : total;
  return [
    frame(total, {}, 'endpoints not ready'),
    frame(
      stuck,
      { series: 'stuck' },
      'stuck not ready (10 min)',
      "Endpoints that stayed out of ready for the last ten minutes: each node's fewest not ready over that window, summed (as the endpoints-not-ready alert counts them)."
    ),
  ];
}

/** Pods minus pod endpoints per node or summed, without the two counts it is made of. */
export async function podEndpointDeltaOnly(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const { delta } = await read(ctx, { delta: TABLE.podEndpointDelta(q).delta });
  const frames = seriesFrames(
    ctx,
    q.refId,
    delta,
    (l) => ({
      displayNameFromDS: named(l, 'delta', 'delta'),
      unit: 'none',
      decimals: 0,
      description: 'Pods minus pod endpoints: above 0, pods Cilium does not manage.',
    }),
    { series: 'delta' }
  );
  return frames.length ? frames : [emptyFrame(q.refId, 'No pod or endpoint data in this range yet.')];
}

/** Unmanaged pods over time, per node or summed (the Kubernetes join's count at each scrape). */
export async function unmanagedPodCount(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const { unmanaged } = await read(ctx, TABLE.unmanagedPodCount(q));
  const frames = seriesFrames(ctx, q.refId, unmanaged, (l) => ({
    displayNameFromDS: named(l, 'unmanaged pods', 'unmanaged pods'),
    unit: 'none',
    decimals: 0,
    description: 'Running or Pending pods (not hostNetwork) without a CiliumEndpoint.',
    thresholds: RED_FROM(1),
  }));
  if (frames.length) {
    return frames;
  }
  const why = ctx.kube
    ? 'No Kubernetes join in this range yet.'
    : 'No unmanaged pod counts in this range: no exporter writing this history watches Kubernetes (--kubeconfig or in-cluster).';
  return [emptyFrame(q.refId, why)];
}

/** Failed regenerations per second, per node or summed. */
export async function regenerationFailures(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const { failures } = await read(ctx, TABLE.regenerationFailures(q));
  const frames = seriesFrames(ctx, q.refId, failures, (l) => ({
    displayNameFromDS: named(l, 'failures', 'failed regenerations'),
    unit: 'ops',
    description: 'Endpoint regenerations per second that failed.',
    thresholds: RED_FROM(0.001),
  }));
  return frames.length
    ? frames
    : [emptyFrame(q.refId, 'No regenerations in this range (rates need two scrapes of an agent).')];
}

/** Failed policy imports over the whole range, one value per node or for the cluster, at the range's end. */
export async function importErrorsInRange(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const end = gridEnd(ctx.grid);
  const { errors } = await read(
    ctx,
    TABLE.policyImportErrorsInRange(q, ctx.grid, end),
    instantGrid(end, ctx.grid.intervalMs, ctx.grid.step)
  );
  const frames = errors.map((s) =>
    seriesFrame({
      refId: q.refId,
      times: [end],
      values: s.values,
      labels: s.labels,
      config: {
        displayNameFromDS: named(s.labels, 'failed in range', 'failed in range'),
        unit: 'none',
        decimals: 0,
        description:
          'Failed policy imports over the whole range (increase of the import errors counter from its start to its end).',
        thresholds: RED_FROM(1),
      },
    })
  );
  return frames.length ? frames : [emptyFrame(q.refId, 'No policy data in this range yet.')];
}

/**
 * Policy changes applied since the start of the range, step by step: the sum of a revision's increases. A drop
 * (the agent restarted and counts from its own start again) adds nothing, so a restart does not read as a node
 * falling behind.
 */
function appliedChanges(values: ReadonlyArray<number | null>): Array<number | null> {
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

const SKEW_DESCRIPTION =
  'Policy changes this node has not applied that the most advanced node has, counted since the start of the range (a node restarting counts on from where it was). Above 0 for long: look for import errors on the node.';

const skewConfig = (name: string): FieldConfigJSON => ({
  displayNameFromDS: name,
  unit: 'none',
  decimals: 0,
  min: 0,
  description: SKEW_DESCRIPTION,
  thresholds: RED_FROM(1),
});

/**
 * How many policy changes each node is behind the node that applied the most since the start of the range, step by
 * step (newest minus each node's). Revision levels differ between agents, each counting from its own start, so the
 * changes are compared, not the levels: arithmetic over every node's series, which PromQL has no form for, so this
 * view ranks its top N itself (furthest behind at any point, ties by name). For the cluster: the largest skew.
 */
export async function policyRevisionSkew(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const { perNode } = await read(ctx, TABLE.policyGauge({ ...q, groupBy: 'node' }, SERIES.policyMaxRevision));
  if (!perNode.length) {
    return [emptyFrame(q.refId, 'No policy data in this range yet.')];
  }
  const steps = ctx.grid.times.length;
  const applied = perNode.map((s) => ({ node: s.labels.node, applied: appliedChanges(s.values) }));
  const newest = combine(
    applied.map((n) => n.applied),
    steps,
    'max'
  );
  const skews = applied.map((n) => ({
    node: n.node,
    values: n.applied.map((a, i) => (a === null || newest[i] === null ? null : newest[i]! - a)),
  }));
  const frame = (values: Array<number | null>, labels: Record<string, string>, name: string) =>
    seriesFrame({ refId: q.refId, times: ctx.grid.times, values, labels, config: skewConfig(name) });
  const largest = (of: GridSeries[] | typeof skews) =>
    combine(
      of.map((s) => s.values),
      steps,
      'max'
    );
  if (q.groupBy !== 'node') {
    return [frame(largest(skews), {}, 'largest revision skew')];
  }
  if (q.topN === undefined || skews.length <= q.topN) {
    return skews.map((s) => frame(s.values, { node: s.node }, `${s.node} revision skew`));
  }
  const peak = (values: Array<number | null>) => Math.max(-Infinity, ...values.filter((v): v is number => v !== null));
  const ranked = skews
    .map((s) => ({ ...s, peak: peak(s.values) }))
    .sort((a, b) => b.peak - a.peak || (a.node < b.node ? -1 : 1));
  const top = ranked.slice(0, q.topN);
  const rest = ranked.slice(q.topN);
  const frames = top.map((s) => frame(s.values, { node: s.node }, `${s.node} revision skew`));
  if (q.others) {
    frames.push(
      frame(largest(rest), { others: String(rest.length) }, `other nodes (${rest.length}) largest revision skew`)
    );
  }
  frames[0] = withNotice(
    frames[0],
    topNotice(
      top.length,
      ranked.length,
      'furthest behind the newest policy revision in the range',
      q.others ? 'their largest skew' : null
    )
  );
  return frames;
}

/** How many agents run each Cilium version, most common first. */
export async function agentVersions(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const nodes = filterSet(q.node);
  const counts = new Map<string, number>();
  for (const t of await ctx.cluster.targets()) {
    if (t.component === 'agent' && (!nodes || nodes.has(t.node))) {
      const version = t.version || 'unknown';
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
export async function anomalySummary(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const r = await read(ctx, TABLE.anomalySummary(q));
  const scored = r.scored[0]?.values;
  if (!scored) {
    return [
      emptyFrame(
        q.refId,
        'The drop anomaly detector has no data yet: it needs a few scrapes of each agent to build a baseline.'
      ),
    ];
  }
  const steps = ctx.grid.times.length;
  const only = (series: GridSeries[]) => series[0]?.values ?? new Array<number | null>(steps).fill(null);
  const [rate, baseline, upperBand, anomalous] = [only(r.rate), only(r.baseline), only(r.upperBand), only(r.anomalous)];
  const frame = (series: string, values: Array<number | null>, name: string, unit: string, description: string) =>
    seriesFrame({
      refId: q.refId,
      times: ctx.grid.times,
      values,
      labels: { series },
      config: { displayNameFromDS: name, unit, description },
    });
  return [
    frame('rate', rate, 'drop rate', 'pps', 'Dropped packets per second.'),
    frame('baseline', baseline, 'baseline', 'pps', "The detector's baselines, summed: the drop rate it expects."),
    frame('upper band', upperBand, 'upper band', 'pps', 'The upper bands, summed.'),
    frame(
      'ratio',
      rate.map((v, i) => (v === null || !baseline[i] ? null : v / baseline[i]!)),
      'vs baseline',
      'suffix:×',
      'The drop rate over its baseline: 1× is what the detector expects, well above it is unusual.'
    ),
    frame(
      'anomalous',
      scored.map((v, i) => (v === null ? null : (anomalous[i] ?? 0))),
      'anomalous series',
      'none',
      'Drop series (node × direction × reason) with an anomaly score of 1 or more.'
    ),
  ];
}
