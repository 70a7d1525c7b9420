/** Query handlers about agents: regeneration time and rate, policy, agent health. */
import type { DataFrameJSON, ScopeQuery } from '../../../src/contract';
import { QUERY_TYPES } from '../../../src/queryCatalog';
import { SERIES } from '../../model/series';
import { emptyFrame, seriesFrame, tableFrame, withNotice } from './frames';
import { type QueryContext, type QueryHandler, displayName, read, seriesFrames } from './context';
import { TABLE, latencyQuantiles } from './promql-table';
import { agentVersions, importErrorsInRange, policyRevisionSkew, regenerationFailures } from './signals';
import { filterSet } from './validate';

const RED_AT = (value: number, below = 'green', above = 'red') => ({
  mode: 'absolute' as const,
  steps: [
    { value: null, color: below },
    { value, color: above },
  ],
});

export const regenerationHandler: QueryHandler = (q, ctx) =>
  q.view === 'rate'
    ? regenerationRate(q, ctx)
    : q.view === 'failures'
      ? regenerationFailures(q, ctx)
      : regenerationLatency(q, ctx);

async function regenerationRate(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const { rate } = await read(ctx, TABLE.regenerationRate(q));
  const frames = seriesFrames(ctx, q.refId, rate, (l) => ({
    displayNameFromDS: displayName(l, ['node', 'outcome']),
    unit: 'ops',
    description: `Endpoint regenerations per second that ended in ${l.outcome}.`,
    ...(l.outcome === 'failure' ? { thresholds: RED_AT(0.001) } : {}),
  }));
  return frames.length
    ? frames
    : [emptyFrame(q.refId, 'No regenerations in this range (rates need two scrapes of an agent).')];
}

/** Quantiles of regeneration time from the summed bucket rates: histogram_quantile(q, sum by (le) (rate(...))). */
async function regenerationLatency(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const quantiles = latencyQuantiles(q);
  const results = await read(ctx, TABLE.regenerationLatency(q));
  // Frames by group, then by quantile, as a panel lists them.
  const byGroup = new Map<
    string,
    Array<{ quantile: number; labels: Record<string, string>; values: Array<number | null> }>
  >();
  quantiles.forEach((quantile, i) => {
    for (const s of results[String(i)]) {
      const key = JSON.stringify(s.labels);
      byGroup.set(key, [...(byGroup.get(key) ?? []), { quantile, labels: s.labels, values: s.values }]);
    }
  });
  const frames: DataFrameJSON[] = [];
  for (const key of [...byGroup.keys()].sort()) {
    for (const { quantile, labels, values } of byGroup.get(key)!) {
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
            description: `${name} of endpoint regeneration time (scope total) over the rate window ending at each point.`,
          },
        })
      );
    }
  }
  return frames.length
    ? frames
    : [emptyFrame(q.refId, 'No regenerations in this range: quantiles need regenerations between two scrapes.')];
}

export const policyHandler: QueryHandler = async (q, ctx) => {
  const gauge = async (
    metric: typeof SERIES.policies | typeof SERIES.policyMaxRevision,
    what: string,
    description: string
  ) => {
    const r = await read(ctx, TABLE.policyGauge(q, metric));
    if (q.groupBy === 'node') {
      return seriesFrames(ctx, q.refId, r.perNode, (l) => ({
        displayNameFromDS: `${l.node} ${what}`,
        unit: 'none',
        decimals: 0,
        description,
      }));
    }
    return (['max', 'min'] as const).flatMap((how) =>
      seriesFrames(
        ctx,
        q.refId,
        r[how],
        () => ({ displayNameFromDS: `${what} (${how} over nodes)`, unit: 'none', decimals: 0, description }),
        { aggregate: how }
      )
    );
  };
  let frames: DataFrameJSON[];
  switch (q.view ?? QUERY_TYPES.policy.defaultView) {
    case 'revisionSkew':
      return policyRevisionSkew(q, ctx);
    case 'importErrorsInRange':
      return importErrorsInRange(q, ctx);
    case 'revision':
      frames = await gauge(
        SERIES.policyMaxRevision,
        'policy revision',
        'Highest policy revision per agent; a node behind the others has not applied the latest policy.'
      );
      break;
    case 'importErrors': {
      const { errors } = await read(ctx, TABLE.policyImportErrors(q));
      frames = seriesFrames(ctx, q.refId, errors, (l) => ({
        displayNameFromDS: displayName(l, ['node'], ' policy import errors'),
        unit: 'none',
        decimals: 0,
        description:
          'Failed policy imports within the rate window ending at each point (cilium_policy_import_errors_total or cilium_policy_change_total{outcome="failure"}).',
        thresholds: RED_AT(1),
      }));
      break;
    }
    case 'enforcement': {
      const { modes } = await read(ctx, TABLE.policyEnforcement(q));
      frames = seriesFrames(ctx, q.refId, modes, (l) => ({
        displayNameFromDS: displayName(l, ['node', 'enforcement']),
        unit: 'none',
        decimals: 0,
        description: 'Endpoints by policy enforcement mode (none means no policy applies to them).',
      }));
      break;
    }
    default:
      frames = await gauge(SERIES.policies, 'policies', 'Network policies loaded in the agent.');
  }
  return frames.length ? frames : [emptyFrame(q.refId, 'No policy data in this range yet.')];
};

export const agentHealthHandler: QueryHandler = async (q, ctx) => {
  switch (q.view ?? QUERY_TYPES.agentHealth.defaultView) {
    case 'up':
      return agentUp(q, ctx);
    case 'versions':
      return agentVersions(q, ctx);
    case 'scrapeDuration': {
      const { slowest } = await read(ctx, TABLE.scrapeDuration(q));
      const frames = seriesFrames(ctx, q.refId, slowest, (l) => ({
        displayNameFromDS:
          q.groupBy !== 'node'
            ? `slowest ${l.component} scrape`
            : l.component === 'operator'
              ? `operator${l.node ? ` (${l.node})` : ''} scrape`
              : `${l.node} scrape`,
        unit: 's',
        description:
          'Time to fetch and parse the metrics page (the longest within the rate window ending at each point).',
      }));
      return frames.length ? frames : [emptyFrame(q.refId, 'No scrapes in this range.')];
    }
    default:
      return [await agentStatusTable(q, ctx)];
  }
};

async function agentUp(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const r = await read(ctx, TABLE.agentUp(q));
  if (q.groupBy === 'node') {
    const frames = seriesFrames(ctx, q.refId, r.perTarget, (l) => ({
      displayNameFromDS: l.node ? `${l.node} ${l.component}` : l.component,
      unit: 'bool_yes_no',
      min: 0,
      max: 1,
      thresholds: RED_AT(1, 'red', 'green'),
    }));
    return frames.length ? frames : [emptyFrame(q.refId, 'No scrapes in this range.')];
  }
  const up = r.up[0]?.values;
  const targets = r.targets[0]?.values;
  if (!up || !targets) {
    return [emptyFrame(q.refId, 'No scrapes in this range.')];
  }
  const down = targets.map((n, i) => (n === null || up[i] === null ? null : n - up[i]!));
  const frame = (values: Array<number | null>, status: string, color: string) =>
    seriesFrame({
      refId: q.refId,
      times: ctx.grid.times,
      values,
      labels: { status },
      config: {
        displayNameFromDS: `targets ${status}`,
        unit: 'none',
        decimals: 0,
        color: { mode: 'fixed', fixedColor: color },
      },
    });
  return [frame(up, 'up', 'green'), frame(down, 'down', 'red')];
}

async function agentStatusTable(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON> {
  const nodes = filterSet(q.node);
  const rows = (await ctx.cluster.targets()).filter((r) => !nodes || nodes.has(r.node));
  const total = rows.length;
  if (q.limit !== undefined && rows.length > q.limit) {
    // The rows a limited table keeps: the targets most in need of attention (down, stale, failing, slowest).
    const trouble = (r: (typeof rows)[number]) => [r.up ? 0 : 1, r.stale ? 1 : 0, r.error ? 1 : 0, r.durationMs ?? 0];
    rows.sort((a, b) => {
      const [ta, tb] = [trouble(a), trouble(b)];
      const i = ta.findIndex((v, k) => v !== tb[k]);
      return i >= 0 ? tb[i] - ta[i] : a.node < b.node ? -1 : 1;
    });
    rows.length = q.limit;
  }
  const frame = tableFrame(
    q.refId,
    'Agents',
    [
      { name: 'Node', type: 'string', values: rows.map((r) => r.node) },
      { name: 'Component', type: 'string', values: rows.map((r) => r.component) },
      {
        name: 'Up',
        type: 'number',
        values: rows.map((r) => (r.up ? 1 : 0)),
        config: { unit: 'bool_yes_no', thresholds: RED_AT(1, 'red', 'green') },
      },
      { name: 'Stale', type: 'boolean', values: rows.map((r) => r.stale) },
      { name: 'Cilium version', type: 'string', values: rows.map((r) => r.version) },
      { name: 'Last scrape', type: 'time', values: rows.map((r) => r.lastScrape) },
      {
        name: 'Scrape duration',
        type: 'number',
        values: rows.map((r) => (r.durationMs === null ? null : r.durationMs / 1000)),
        config: { unit: 's', decimals: 3 },
      },
      { name: 'Endpoints', type: 'number', values: rows.map((r) => r.endpoints), config: { decimals: 0 } },
      { name: 'Restarts', type: 'number', values: rows.map((r) => r.restarts), config: { decimals: 0 } },
      { name: 'Error', type: 'string', values: rows.map((r) => r.error) },
    ],
    rows.length
      ? undefined
      : 'No targets: pass --agent NODE=URL, enable Kubernetes discovery, or (query replica) check that Prometheus holds ciliumscope_target_up.'
  );
  return rows.length < total
    ? withNotice(
        frame,
        `${rows.length} of ${total} targets: those down, stale or failing first, then the slowest scrapes.`
      )
    : frame;
}
