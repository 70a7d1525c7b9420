/**
 * Drops by workload pair (Hubble): who is being dropped. The pairs are the series of
 * ciliumscope_workload_dropped_packets_total (a node's top pairs per reason and its "(other)" rows, see
 * exporter/hubble), read through the history like every other query, so both backends rank and rate them alike:
 *
 * - `pairs`: the N pairs with the highest mean drop rate over the range, summed over the selected nodes, one series
 *   each, and with `others` the rest as one series;
 * - `table`: node × pair rows by mean drop rate over the range, with the row's share of its node's drops and the
 *   denying policies and ports Hubble Relay reported for the pair (when this exporter follows Relay).
 *
 * What each reads is WORKLOAD_TABLE in promql-table.ts.
 */
import type { DataFrameJSON, ScopeQuery } from '../../../src/contract';
import { QUERY_TYPES } from '../../../src/queryCatalog';
import type { GridSeries } from '../../history/backend';
import type { Expr } from '../../history/expr';
import { gridEnd, instantGrid } from '../../history/grid';
import type { FlowGroup } from '../../hubble/relay/denied-by';
import type { PolicyRef } from '../../hubble/relay/flows';
import { emptyFrame, seriesFrame, tableFrame, withNotice } from './frames';
import { type QueryContext, read } from './context';
import { PAIR_KEY, WORKLOAD_TABLE } from './workload-table';
import { LIMITS } from './validate';

type Row = Record<string, string>;

const keyOf = (labels: Row, by: readonly string[]) => by.map((l) => labels[l] ?? '').join('\u0000');

/** "namespace/workload", either alone when the other is empty, or "(not a workload)" (an IP, no context). */
export function endpointName(namespace: string, workload: string): string {
  if (namespace && workload) {
    return `${namespace}/${workload}`;
  }
  return namespace || workload || '(not a workload)';
}

const source = (l: Row) => endpointName(l.source_namespace, l.source_workload);
const destination = (l: Row) => endpointName(l.destination_namespace, l.destination_workload);
const pairName = (l: Row) => `${source(l)} → ${destination(l)} (${l.reason}, ${l.direction})`;

/**
 * The first k series of the rankings of every side, by score then labels: a series in the top k of the union is in
 * the top k (ties kept) of its own side, so the union of the sides' rankings holds them all.
 */
async function ranked(
  ctx: QueryContext,
  rankings: Expr[],
  by: readonly string[],
  k: number
): Promise<Array<{ labels: Row; score: number }>> {
  const end = gridEnd(ctx.grid);
  const results = await ctx.history.evaluate(rankings, instantGrid(end, ctx.grid.intervalMs, ctx.grid.step));
  const union = new Map<string, { labels: Row; score: number; key: string }>();
  for (const s of results.flat()) {
    const key = keyOf(s.labels, by);
    const score = s.values[0];
    if (score !== null && !union.has(key)) {
      union.set(key, { labels: s.labels, score, key });
    }
  }
  return [...union.values()]
    .sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, k);
}

const spanOf = (ctx: QueryContext) => gridEnd(ctx.grid) - ctx.grid.times[0];

function noDrops(q: ScopeQuery, ctx: QueryContext): DataFrameJSON {
  const filtered =
    q.namespace !== undefined ||
    q.workload !== undefined ||
    q.reason !== undefined ||
    q.direction !== undefined ||
    q.node !== undefined;
  const why = ctx.hubble
    ? filtered
      ? 'No workload pair with drops in this range for the selected nodes, namespaces, workloads, reasons and directions.'
      : 'No workload pair with drops in this range.'
    : 'No drops by workload in this range. They come from Hubble: start the exporter with --hubble-port 9965 (or --hubble NODE=URL) for Hubble metrics, or --hubble-relay HOST:PORT; on a query replica, the scraping exporters must have them.';
  return emptyFrame(q.refId, why);
}

export const workloadDropsHandler = (q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> =>
  ctx.grid.times.length === 0
    ? Promise.resolve([noDrops(q, ctx)])
    : q.view === 'table'
      ? pairTable(q, ctx)
      : pairSeries(q, ctx);

/** Step-wise a - b (null where a has no value; a missing b counts 0); what rounding leaves of a (or less) is 0. */
function minus(
  a: ReadonlyArray<number | null>,
  ...bs: Array<ReadonlyArray<number | null> | undefined>
): Array<number | null> {
  return a.map((v, i) => {
    if (v === null) {
      return null;
    }
    const rest = bs.reduce<number>((acc, b) => acc - (b?.[i] ?? 0), v);
    return rest > Math.abs(v) * 1e-9 ? rest : 0;
  });
}

function plus(
  a: ReadonlyArray<number | null> | undefined,
  b: ReadonlyArray<number | null> | undefined,
  steps: number
): Array<number | null> {
  return Array.from({ length: steps }, (_, i) => {
    const [x, y] = [a?.[i] ?? null, b?.[i] ?? null];
    return x === null && y === null ? null : (x ?? 0) + (y ?? 0);
  });
}

async function pairSeries(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  // Within the exporter's limit of series per query, "other pairs" included.
  const fit = LIMITS.seriesPerQuery - (q.others ? 1 : 0);
  const n = Math.min(q.topN ?? QUERY_TYPES.workloadDrops.views.pairs.options.topN, fit);
  const top = await ranked(ctx, WORKLOAD_TABLE.ranking(q, PAIR_KEY, n, spanOf(ctx)), PAIR_KEY, n);
  if (!top.length) {
    return [noDrops(q, ctx)];
  }
  const wanted = new Set(top.map((t) => keyOf(t.labels, PAIR_KEY)));
  const reads = {
    ...WORKLOAD_TABLE.pairRates(
      q,
      top.map((t) => t.labels)
    ),
    ...(q.others ? WORKLOAD_TABLE.totals(q) : {}),
  };
  const r = await read(ctx, reads);
  const byKey = new Map(
    r.pairs.filter((s) => wanted.has(keyOf(s.labels, PAIR_KEY))).map((s) => [keyOf(s.labels, PAIR_KEY), s])
  );
  const shown = top.map((t) => byKey.get(keyOf(t.labels, PAIR_KEY))).filter((s): s is GridSeries => s !== undefined);
  const frames = shown.map((s) =>
    seriesFrame({
      refId: q.refId,
      times: ctx.grid.times,
      values: s.values,
      labels: s.labels,
      config: {
        displayNameFromDS: pairName(s.labels),
        unit: 'pps',
        description: `Packets per second Hubble attributes to ${source(s.labels)} → ${destination(s.labels)}, dropped with reason "${s.labels.reason}" (${s.labels.direction}), summed over the selected nodes.`,
      },
    })
  );
  let othersText = '';
  if (q.others) {
    const steps = ctx.grid.times.length;
    const only = (name: string) => r[name]?.[0]?.values;
    const total = r.all ? (only('all') ?? []) : minus(plus(only('source'), only('destination'), steps), only('both'));
    const rest = minus(total, ...shown.map((s) => s.values));
    // Only when something is left: all the matching pairs may be drawn already.
    if (rest.some((v) => v !== null && v > 0)) {
      const unfiltered = Boolean(r.all);
      othersText = unfiltered
        ? '; every other pair and the drops Hubble keeps in "(other)" rows summed as "other pairs"'
        : '; every other matching pair summed as "other pairs"';
      frames.push(
        seriesFrame({
          refId: q.refId,
          times: ctx.grid.times,
          values: rest,
          labels: { others: 'pairs' },
          config: {
            displayNameFromDS: 'other pairs',
            unit: 'pps',
            description: unfiltered
              ? 'The drops of every pair not drawn, and those Hubble counted outside the kept pairs ("(other)" rows), summed.'
              : 'The drops of every other pair matching the namespace and workload filters, summed.',
          },
        })
      );
    }
  }
  frames[0] = withNotice(
    frames[0],
    `The ${shown.length} workload pairs with the highest mean drop rate over the range, summed over the selected nodes${othersText}.`
  );
  if ((q.topN ?? 0) > fit) {
    frames[0] = withNotice(
      frames[0],
      `Top N ${q.topN} exceeds the exporter's limit of ${LIMITS.seriesPerQuery} series per query: at most ${fit} pairs are drawn.`,
      'warning'
    );
  }
  return frames;
}

function policyText(p: PolicyRef): string {
  const name = p.namespace ? `${p.namespace}/${p.name}` : p.name;
  return p.kind ? `${name} (${p.kind})` : name;
}

/** The policies and ports of a row's Relay groups, each once, most flows first. */
function relayColumns(groups: readonly FlowGroup[] | null): { policy: string; ports: string } {
  if (!groups) {
    return { policy: '', ports: '' };
  }
  const policies = new Set<string>();
  const ports = new Set<string>();
  for (const g of groups) {
    g.policies.forEach((p) => policies.add(policyText(p)));
    if (g.protocol) {
      ports.add(g.port === null ? g.protocol : `${g.protocol}/${g.port}`);
    }
  }
  return { policy: [...policies].join(', '), ports: [...ports].join(', ') };
}

async function pairTable(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const limit = q.limit ?? QUERY_TYPES.workloadDrops.views.table.options.limit;
  const by = ['node', ...PAIR_KEY];
  const rows = await ranked(ctx, WORKLOAD_TABLE.ranking(q, by, limit, spanOf(ctx)), by, limit);
  if (!rows.length) {
    return [noDrops(q, ctx)];
  }
  const nodes = [...new Set(rows.map((r) => r.labels.node))].sort();
  const nodeTotals = new Map(
    (await ranked(ctx, [WORKLOAD_TABLE.nodeTotals(nodes, spanOf(ctx))], ['node'], nodes.length)).map((t) => [
      t.labels.node,
      t.score,
    ])
  );
  const rangeSeconds = Math.max(1, ctx.grid.to - ctx.grid.from) / 1000;
  const flows = ctx.hubble?.relay ?? null;
  const relay = rows.map(({ labels: l }) =>
    relayColumns(
      flows?.groups(
        l.node,
        l.reason,
        l.direction,
        { namespace: l.source_namespace, workload: l.source_workload },
        { namespace: l.destination_namespace, workload: l.destination_workload }
      ) ?? null
    )
  );
  const column = (name: string, values: unknown[], type: 'string' | 'number', config = {}) => ({
    name,
    type,
    values,
    config,
  });
  const frame = tableFrame(q.refId, 'Who is being dropped', [
    column(
      'Node',
      rows.map((r) => r.labels.node),
      'string'
    ),
    column(
      'Source',
      rows.map((r) => source(r.labels)),
      'string'
    ),
    column(
      'Destination',
      rows.map((r) => destination(r.labels)),
      'string'
    ),
    column(
      'Reason',
      rows.map((r) => r.labels.reason),
      'string'
    ),
    column(
      'Direction',
      rows.map((r) => r.labels.direction),
      'string'
    ),
    column(
      'Denying policy',
      relay.map((r) => r.policy),
      'string',
      {
        description:
          'Policies named in egress_denied_by / ingress_denied_by of the drop flows Hubble Relay streamed for this pair on this node since the exporter started (agents that report them); empty when none was named.',
      }
    ),
    column(
      'Ports',
      relay.map((r) => r.ports),
      'string',
      { description: 'Protocols and destination ports of those flows.' }
    ),
    column(
      'Drop rate',
      rows.map((r) => r.score),
      'number',
      { unit: 'pps', decimals: 2, description: 'Packets dropped per second, the mean over the range.' }
    ),
    column(
      'Dropped packets',
      rows.map((r) => Math.round(r.score * rangeSeconds)),
      'number',
      { unit: 'short', decimals: 0, description: 'Approximate total over the range.' }
    ),
    column(
      'Share of node drops',
      rows.map((r) => (nodeTotals.get(r.labels.node) ? r.score / nodeTotals.get(r.labels.node)! : 0)),
      'number',
      {
        unit: 'percentunit',
        decimals: 1,
        min: 0,
        max: 1,
        description:
          'This row\'s drops over all the drops Hubble attributed on its node in the range (every pair, reason and direction, "(other)" rows included).',
      }
    ),
  ]);
  return [flows ? frame : withNotice(frame, POLICY_UNKNOWN)];
}

/** Why the policy column is empty when the exporter has no Relay flows. */
export const POLICY_UNKNOWN =
  'Denying policies are not known here: they come from the drop flows of Hubble Relay (--hubble-relay) that this exporter follows. Hubble metrics and the Prometheus history carry no policy.';
