/** Query handlers about agents: regeneration time and rate, policy, agent health. */
import type { DataFrameJSON, ScopeQuery } from '../../../src/contract';
import { histogramQuantile } from '../../model/rates';
import { SERIES } from '../../model/series';
import { emptyFrame, seriesFrame, tableFrame, withLabels, withNotice } from './frames';
import { agentVersions, policyRevisionSkew, regenerationFailures } from './signals';
import { type QueryContext, type QueryHandler, displayName, groupedFrames, labelFilters, select, splitLabels } from './context';
import { combine, groupBy, onGrid, reduceGroup } from './range';

export const regenerationHandler: QueryHandler = (q, ctx) =>
  q.view === 'rate' ? regenerationRate(q, ctx) : q.view === 'failures' ? regenerationFailures(q, ctx) : regenerationLatency(q, ctx);

function regenerationRate(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  const frames = groupedFrames(ctx, {
    refId: q.refId,
    series: select(ctx, SERIES.regenerationRate, labelFilters(q, ['node'])),
    by: splitLabels(q, ['outcome']),
    within: 'mean',
    across: 'sum',
    config: (l) => ({
      displayNameFromDS: displayName(l, ['node', 'outcome']),
      unit: 'ops',
      description: `Endpoint regenerations per second that ended in ${l.outcome}.`,
      ...(l.outcome === 'failure' ? { thresholds: { mode: 'absolute' as const, steps: [{ value: null, color: 'green' }, { value: 0.001, color: 'red' }] } } : {}),
    }),
  });
  return frames.length ? frames : [emptyFrame(q.refId, 'No regenerations in this range (rates need two scrapes of an agent).')];
}

/** Quantiles of regeneration time from the summed bucket increases, as histogram_quantile(sum(rate(...))) does. */
function regenerationLatency(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  const quantiles = q.quantiles ?? [0.5, 0.9, 0.99];
  const series = select(ctx, SERIES.regenerationBucketRate, labelFilters(q, ['node']));
  const frames: DataFrameJSON[] = [];
  for (const { labels, members } of groupBy(series, splitLabels(q, [])).values()) {
    const buckets = [...groupBy(members, ['le']).values()].map(({ labels: l, members: m }) => ({
      le: Number(l.le),
      perStep: reduceGroup(m, ctx.grid, 'sum', 'sum'),
    }));
    for (const quantile of quantiles) {
      const values = ctx.grid.times.map((_, i) => {
        const counts = buckets.filter((b) => b.perStep[i] !== null).map((b) => ({ le: b.le, count: b.perStep[i]! }));
        const v = histogramQuantile(quantile, counts);
        return Number.isFinite(v) ? v : null;
      });
      if (values.every((v) => v === null)) {
        continue;
      }
      const name = `p${Math.round(quantile * 1000) / 10}`;
      frames.push(
        seriesFrame({
          refId: q.refId,
          times: ctx.grid.times,
          values,
          labels: { ...labels, quantile: String(quantile) },
          config: {
            displayNameFromDS: displayName(labels, ['node'], ` ${name}`),
            unit: 's',
            description: `${name} of endpoint regeneration time (scope total) over each step.`,
          },
        })
      );
    }
  }
  return frames.length ? frames : [emptyFrame(q.refId, 'No regenerations in this range: quantiles need regenerations between two scrapes.')];
}

export const policyHandler: QueryHandler = (q, ctx) => {
  const match = labelFilters(q, ['node']);
  const perNode = q.groupBy === 'node';
  const gauge = (metric: string, what: string, description: string) => {
    if (perNode) {
      return groupedFrames(ctx, {
        refId: q.refId,
        series: select(ctx, metric, match),
        by: ['node'],
        within: 'last',
        across: 'sum',
        config: (l) => ({ displayNameFromDS: `${l.node} ${what}`, unit: 'none', decimals: 0, description }),
      });
    }
    // Policies are cluster objects every agent loads: across nodes, min and max show who lags behind.
    const series = select(ctx, metric, match);
    return (['max', 'min'] as const).flatMap((how) =>
      groupedFrames(ctx, {
        refId: q.refId,
        series,
        by: [],
        within: 'last',
        across: how,
        config: () => ({ displayNameFromDS: `${what} (${how} over nodes)`, unit: 'none', decimals: 0, description }),
      }).map((f) => withLabels(f, { aggregate: how }))
    );
  };
  let frames: DataFrameJSON[];
  switch (q.view ?? 'count') {
    case 'revisionSkew':
      return policyRevisionSkew(q, ctx);
    case 'revision':
      frames = gauge(SERIES.policyMaxRevision, 'policy revision', 'Highest policy revision per agent; a node behind the others has not applied the latest policy.');
      break;
    case 'importErrors':
      frames = groupedFrames(ctx, {
        refId: q.refId,
        series: select(ctx, SERIES.policyImportErrors, match),
        by: splitLabels(q, []),
        within: 'sum',
        across: 'sum',
        config: (l) => ({
          displayNameFromDS: displayName(l, ['node'], ' policy import errors'),
          unit: 'none',
          decimals: 0,
          description: 'Failed policy imports in each step (cilium_policy_import_errors_total or cilium_policy_change_total{outcome="failure"}).',
          thresholds: { mode: 'absolute', steps: [{ value: null, color: 'green' }, { value: 1, color: 'red' }] },
        }),
      });
      break;
    case 'enforcement':
      frames = groupedFrames(ctx, {
        refId: q.refId,
        series: select(ctx, SERIES.enforcement, match),
        by: splitLabels(q, ['enforcement']),
        within: 'last',
        across: 'sum',
        config: (l) => ({
          displayNameFromDS: displayName(l, ['node', 'enforcement']),
          unit: 'none',
          decimals: 0,
          description: 'Endpoints by policy enforcement mode (none means no policy applies to them).',
        }),
      });
      break;
    default:
      frames = gauge(SERIES.policies, 'policies', 'Network policies loaded in the agent.');
  }
  return frames.length ? frames : [emptyFrame(q.refId, 'No policy data in this range yet.')];
};

export const agentHealthHandler: QueryHandler = (q, ctx) => {
  switch (q.view ?? 'status') {
    case 'up':
      return agentUp(q, ctx);
    case 'versions':
      return agentVersions(q, ctx);
    case 'scrapeDuration': {
      const frames = groupedFrames(ctx, {
        refId: q.refId,
        series: select(ctx, SERIES.scrapeDurationSeconds, labelFilters(q, ['node'])),
        by: q.groupBy === 'node' ? ['node', 'component'] : ['component'],
        within: 'max',
        across: 'max',
        config: (l) => ({
          displayNameFromDS:
            q.groupBy !== 'node'
              ? `slowest ${l.component} scrape`
              : l.component === 'operator'
                ? `operator${l.node ? ` (${l.node})` : ''} scrape`
                : `${l.node} scrape`,
          unit: 's',
          description: 'Time to fetch and parse the metrics page.',
        }),
      });
      return frames.length ? frames : [emptyFrame(q.refId, 'No scrapes in this range.')];
    }
    default:
      return [agentStatusTable(q, ctx)];
  }
};

function agentUp(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  const series = select(ctx, SERIES.up, labelFilters(q, ['node']));
  if (q.groupBy === 'node') {
    const frames = groupedFrames(ctx, {
      refId: q.refId,
      series,
      by: ['node', 'component'],
      within: 'last',
      across: 'max',
      config: (l) => ({
        displayNameFromDS: l.node ? `${l.node} ${l.component}` : l.component,
        unit: 'bool_yes_no',
        min: 0,
        max: 1,
        thresholds: { mode: 'absolute', steps: [{ value: null, color: 'red' }, { value: 1, color: 'green' }] },
      }),
    });
    return frames.length ? frames : [emptyFrame(q.refId, 'No scrapes in this range.')];
  }
  const rows = series.map((s) => onGrid(s, ctx.grid, 'last'));
  const up = combine(rows, 'sum', ctx.grid.times.length);
  const down = combine(rows.map((r) => r.map((v) => (v === null ? null : 1 - v))), 'sum', ctx.grid.times.length);
  if (up.every((v) => v === null)) {
    return [emptyFrame(q.refId, 'No scrapes in this range.')];
  }
  return [
    seriesFrame({ refId: q.refId, times: ctx.grid.times, values: up, labels: { status: 'up' }, config: { displayNameFromDS: 'targets up', unit: 'none', decimals: 0, color: { mode: 'fixed', fixedColor: 'green' } } }),
    seriesFrame({
      refId: q.refId,
      times: ctx.grid.times,
      values: down,
      labels: { status: 'down' },
      config: { displayNameFromDS: 'targets down', unit: 'none', decimals: 0, color: { mode: 'fixed', fixedColor: 'red' } },
    }),
  ];
}

function agentStatusTable(q: ScopeQuery, ctx: QueryContext): DataFrameJSON {
  const match = labelFilters(q, ['node']);
  const now = ctx.model.now();
  const nodes = ctx.model.nodes().filter((n) => match({ node: n.name }));
  const op = ctx.model.operator();
  const rows = nodes.map((n) => ({
    node: n.name,
    component: 'agent',
    up: n.agent.up,
    stale: ctx.model.isStale(n, now),
    version: n.sample?.ciliumVersion ?? '',
    lastScrape: n.agent.lastScrape,
    duration: n.agent.durationMs,
    endpoints: n.sample?.endpoints ?? null,
    restarts: n.restarts,
    error: n.agent.error ?? '',
  }));
  if (op && match({ node: op.target.target.node })) {
    rows.push({
      node: op.target.target.node,
      component: 'operator',
      up: op.target.up,
      stale: op.sampleAt === null || now - op.sampleAt > ctx.model.options.staleAfterMs,
      version: '',
      lastScrape: op.target.lastScrape,
      duration: op.target.durationMs,
      endpoints: null,
      restarts: 0,
      error: op.target.error ?? '',
    });
  }
  const total = rows.length;
  if (q.limit !== undefined && rows.length > q.limit) {
    // The rows a limited table keeps: the targets most in need of attention (down, stale, failing, slowest).
    const trouble = (r: (typeof rows)[number]) => [r.up ? 0 : 1, r.stale ? 1 : 0, r.error ? 1 : 0, r.duration ?? 0];
    rows.sort((a, b) => {
      const [ta, tb] = [trouble(a), trouble(b)];
      const i = ta.findIndex((v, k) => v !== tb[k]);
      return i >= 0 ? tb[i] - ta[i] : a.node < b.node ? -1 : 1;
    });
    rows.length = q.limit;
  }
  const upDown = { mode: 'absolute' as const, steps: [{ value: null, color: 'red' }, { value: 1, color: 'green' }] };
  const frame = tableFrame(
    q.refId,
    'Agents',
    [
      { name: 'Node', type: 'string', values: rows.map((r) => r.node) },
      { name: 'Component', type: 'string', values: rows.map((r) => r.component) },
      { name: 'Up', type: 'number', values: rows.map((r) => (r.up ? 1 : 0)), config: { unit: 'bool_yes_no', thresholds: upDown } },
      { name: 'Stale', type: 'boolean', values: rows.map((r) => r.stale) },
      { name: 'Cilium version', type: 'string', values: rows.map((r) => r.version) },
      { name: 'Last scrape', type: 'time', values: rows.map((r) => r.lastScrape) },
      { name: 'Scrape duration', type: 'number', values: rows.map((r) => (r.duration === null ? null : r.duration / 1000)), config: { unit: 's', decimals: 3 } },
      { name: 'Endpoints', type: 'number', values: rows.map((r) => r.endpoints), config: { decimals: 0 } },
      { name: 'Restarts', type: 'number', values: rows.map((r) => r.restarts), config: { decimals: 0 } },
      { name: 'Error', type: 'string', values: rows.map((r) => r.error) },
    ],
    rows.length ? undefined : 'No targets configured: pass --agent NODE=URL or enable Kubernetes discovery.'
  );
  return rows.length < total
    ? withNotice(frame, `${rows.length} of ${total} targets: those down, stale or failing first, then the slowest scrapes.`)
    : frame;
}
