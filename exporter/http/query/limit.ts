/**
 * Keeps a query's answer light whatever the cluster's size. With `topN`, the nodes that rank first by the query's
 * own signal over the whole range (RANKS in promql-table.ts) are chosen by one expression at the end of the range
 * (the tie-keeping `topk`/`bottomk` of expr.ts; on Prometheus, its scores are read and the top kept by the backend),
 * then the query's own expressions are read for those nodes
 * only; `others` adds the query's cluster view of every other node, as "other nodes (K)". A hard cap bounds the
 * series of any answer, with a notice naming the limit when it cuts.
 *
 * The handlers do not know about any of it: they read through a history reader that adds the node matcher.
 */
import type { DataFrameJSON, ScopeQuery } from '../../../src/contract';
import type { GridSeries } from '../../history/backend';
import { type Matcher, type Ranking, matcher, notIn, ranking, withMatcher } from '../../history/expr';
import { type StepGrid, gridEnd, instantGrid } from '../../history/grid';
import { type QueryContext, type QueryHandler, read } from './context';
import { emptyFrame, withLabels, withNotice } from './frames';
import { RANKS, type RankSpec, type Reads, TABLE } from './promql-table';
import { LIMITS } from './validate';

/** The node a time-series frame is about (its value field's `node` label), if any. */
function nodeOf(frame: DataFrameJSON): string | undefined {
  return frame.schema.fields.find((f) => f.type === 'number')?.labels?.node || undefined;
}

/** The notice on a top-N answer: how many nodes of how many, by what, and what became of the others. */
export function topNotice(shown: number, total: number, describe: string, others: string | null): string {
  return (
    `The ${shown} of ${total} nodes ranked first by ${describe}` +
    (others ? `; the other ${total - shown} as "other nodes" (${others}).` : '.')
  );
}

/** The same context, its history read with one more matcher on every selector. */
function scoped(ctx: QueryContext, m: Matcher | null): QueryContext {
  if (!m) {
    return ctx;
  }
  return {
    ...ctx,
    history: {
      evaluate: (exprs, grid) =>
        ctx.history.evaluate(
          exprs.map((e) => withMatcher(e, m)),
          grid
        ),
    },
  };
}

type Rank = Pick<RankSpec, 'order' | 'over' | 'signal'>;

/** The ranking expression of a signal over a request's grid, evaluated at its end (see Ranking in expr.ts). */
export function rankingOf(rank: Rank, k: number, grid: StepGrid): Ranking {
  // Only series of a node rank (the operator's target may carry none).
  const signal = withMatcher(rank.signal, notIn('node', [''])!);
  return ranking(rank.order, k, rank.over, gridEnd(grid) - grid.times[0], signal);
}

/**
 * The k nodes first by a signal over the whole range, with their scores: the ranking expression (which keeps every
 * node tied with the k-th) evaluated at the end of the range, ties then taken by node name.
 */
export async function firstNodes(
  ctx: QueryContext,
  rank: Rank,
  k: number,
  also: Reads = {}
): Promise<{ nodes: Array<{ node: string; score: number }>; also: Record<string, GridSeries[]> }> {
  const at = instantGrid(gridEnd(ctx.grid), ctx.grid.intervalMs, ctx.grid.step);
  const { candidates, ...rest } = await read(ctx, { candidates: rankingOf(rank, k, ctx.grid), ...also }, at);
  const sign = rank.order === 'topk' ? -1 : 1;
  const nodes = candidates
    .map((s) => ({ node: s.labels.node, score: s.values[0] ?? 0 }))
    .sort((a, b) => sign * (a.score - b.score) || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
    .slice(0, k);
  return { nodes, also: rest };
}

/** The top k nodes of a query and how many nodes it selects (agents at the end of the range). */
async function rankNodes(
  q: ScopeQuery,
  ctx: QueryContext,
  spec: RankSpec,
  k: number
): Promise<{ top: string[]; total: number }> {
  const { nodes, also } = await firstNodes(ctx, spec, k, TABLE.agentCount(q));
  const top = nodes.map((n) => n.node);
  return { top, total: Math.max(top.length, also.agents[0]?.values[0] ?? 0) };
}

/** The query's cluster view of the nodes outside the top, named and labelled as "other nodes (K)". */
async function otherNodes(
  handler: QueryHandler,
  q: ScopeQuery,
  ctx: QueryContext,
  count: number,
  how: string
): Promise<DataFrameJSON[]> {
  const { topN: _topN, others: _others, groupBy: _groupBy, ...cluster } = q;
  const name = `other nodes (${count})`;
  return (await handler(cluster, ctx))
    .filter((f) => (f.data.values[1]?.length ?? 0) > 0)
    .map((f) => {
      const fields = f.schema.fields.map((field) => {
        if (field.type !== 'number') {
          return field;
        }
        const shown = field.config?.displayNameFromDS;
        const description = `The ${count} nodes outside the top N (${how}). ${field.config?.description ?? ''}`.trim();
        return {
          ...field,
          config: { ...field.config, displayNameFromDS: shown ? `${name} ${shown}` : name, description },
        };
      });
      const frame = { ...f, schema: { ...f.schema, name: f.schema.name ? `${name} ${f.schema.name}` : name, fields } };
      return withLabels(frame, { others: String(count) });
    });
}

/** Frames ordered by their node's place in `nodes` (a stable sort: each node's own series keep their order). */
function inRankOrder(frames: DataFrameJSON[], nodes: string[]): DataFrameJSON[] {
  const place = new Map(nodes.map((n, i) => [n, i]));
  return frames
    .map((f, i) => ({ f, i, at: place.get(nodeOf(f) ?? '') ?? nodes.length }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.f);
}

/** The answer for the top k nodes by the query's signal, then (with `others`) the other nodes as one view. */
async function topAnswer(
  handler: QueryHandler,
  q: ScopeQuery,
  ctx: QueryContext,
  spec: RankSpec,
  k: number,
  notice = true
): Promise<DataFrameJSON[]> {
  const { top, total } = await rankNodes(q, ctx, spec, k);
  const frames = top.length ? inRankOrder(await handler(q, scoped(ctx, matcher('node', top))), top) : [];
  const rest = total - top.length;
  const others =
    q.others && spec.others && rest > 0
      ? await otherNodes(handler, q, scoped(ctx, notIn('node', top)), rest, spec.others)
      : [];
  const all = [...frames, ...others];
  if (!all.length) {
    return [emptyFrame(q.refId, `No node to rank by ${spec.describe}.`)];
  }
  if (notice) {
    all[0] = withNotice(all[0], topNotice(top.length, total, spec.describe, others.length ? spec.others : null));
  }
  return all;
}

/**
 * A query's answer within its topN, others and the series cap. Only queries with one series per node rank (and
 * only those whose type has a rank signal); the others are cut at the cap in their own order.
 */
export async function limitedAnswer(
  handler: QueryHandler,
  q: ScopeQuery,
  ctx: QueryContext,
  maxSeries = LIMITS.seriesPerQuery
): Promise<DataFrameJSON[]> {
  const spec = q.groupBy === 'node' && ctx.grid.times.length > 0 ? RANKS[q.queryType](q) : null;
  if (spec && q.topN !== undefined) {
    return cap(await topAnswer(handler, q, ctx, spec, q.topN), maxSeries, spec);
  }
  const frames = await handler(q, ctx);
  if (frames.length <= maxSeries || !spec) {
    return cap(frames, maxSeries, null);
  }
  // Past the cap: as many of the nodes that rank first as fit, the answer saying so.
  const nodes = new Set(frames.map(nodeOf).filter((n) => n !== undefined));
  const perNode = Math.ceil(frames.filter((f) => nodeOf(f) !== undefined).length / Math.max(1, nodes.size));
  const fit = Math.max(1, Math.floor(maxSeries / perNode));
  const ranked = await topAnswer(handler, { ...q, others: false }, ctx, spec, fit, false);
  return cap(
    [
      withNotice(
        ranked[0],
        overCap(frames.length, maxSeries, `the ${fit} nodes ranked first by ${spec.describe}`),
        'warning'
      ),
      ...ranked.slice(1),
    ],
    maxSeries,
    spec
  );
}

function overCap(series: number, maxSeries: number, shown: string): string {
  return `${series} series exceed the exporter's limit of ${maxSeries} series per query: ${shown} are shown. Set "Top N" in the query, or select fewer nodes.`;
}

function cap(frames: DataFrameJSON[], maxSeries: number, spec: RankSpec | null): DataFrameJSON[] {
  if (frames.length <= maxSeries) {
    return frames;
  }
  const kept = frames.slice(0, maxSeries);
  const order = spec
    ? `the first ${maxSeries}, nodes ranked first by ${spec.describe}`
    : `the first ${maxSeries} in the order of their labels`;
  kept[0] = withNotice(kept[0], overCap(frames.length, maxSeries, order), 'warning');
  return kept;
}
