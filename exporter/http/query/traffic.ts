/** Query handlers about traffic: forwarded vs dropped packets, drops by reason, the nodes that drop most. */
import type { DataFrameJSON, ScopeQuery } from '../../../src/contract';
import { QUERY_TYPES } from '../../../src/queryCatalog';
import { lookupDropReason } from '../../cilium/dropReasons';
import { emptyFrame, tableFrame } from './frames';
import { type QueryContext, type QueryHandler, displayName, read, seriesFrames } from './context';
import { firstNodes } from './limit';
import { TABLE } from './promql-table';

const unitOf = (q: ScopeQuery) => q.unit ?? 'packets';
export const grafanaUnit = (q: ScopeQuery) => (unitOf(q) === 'bytes' ? 'Bps' : 'pps');

export const packetFlowHandler: QueryHandler = async (q, ctx) => {
  const unit = unitOf(q);
  const r = await read(ctx, TABLE.packetFlow(q));
  const frames = (verdict: 'forwarded' | 'dropped') =>
    seriesFrames(
      ctx,
      q.refId,
      r[verdict],
      (l) => ({
        displayNameFromDS: displayName(l, ['node'], ` ${verdict} ${l.direction.toLowerCase()}`),
        unit: grafanaUnit(q),
        description: `${unit === 'bytes' ? 'Bytes' : 'Packets'} per second ${verdict} by the datapath, ${l.direction}.`,
      }),
      { verdict }
    );
  const all = [...frames('forwarded'), ...frames('dropped')];
  return all.length
    ? all
    : [emptyFrame(q.refId, 'No traffic data in this range yet (rates need two scrapes of an agent).')];
};

export const dropsHandler: QueryHandler = (q, ctx) => (q.view === 'topNodes' ? topNodes(q, ctx) : dropRates(q, ctx));

async function dropRates(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const { drops } = await read(ctx, TABLE.dropRates(q));
  const frames = seriesFrames(ctx, q.refId, drops, (l) => {
    const info = lookupDropReason(l.reason);
    return {
      displayNameFromDS: `${l.node ? l.node + ' ' : ''}${l.reason} (${l.direction})`,
      unit: grafanaUnit(q),
      description: info
        ? `${info.meaning} Usual causes: ${info.commonCauses}`
        : `Drops reported by the agent with reason "${l.reason}".`,
    };
  });
  return frames.length
    ? frames
    : [emptyFrame(q.refId, 'No drops in this range for the selected nodes, directions and reasons.')];
}

/**
 * The nodes that dropped most over the range: each node's drop rate at every point, averaged (the windows cover the
 * range) and ranked by the history (a ranking, see expr.ts), then the reasons of the top nodes alone.
 */
async function topNodes(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const unit = unitOf(q);
  const rangeSeconds = Math.max(1, ctx.grid.to - ctx.grid.from) / 1000;
  // Ranked where the history is: one mean per node comes back, not every node's rate at every point (over 30 days
  // of 1,000 nodes, 720,000 points from Prometheus for ten rows).
  const { nodes } = await firstNodes(
    ctx,
    { order: 'topk', over: 'avg', signal: TABLE.dropTopNodes(q).perNode },
    q.limit ?? QUERY_TYPES.drops.views.topNodes.options.limit
  );
  const ranked = nodes.map(({ node, score }) => ({ node, rate: score }));
  const reasons = new Map<string, Array<{ reason: string; rate: number }>>();
  if (ranked.length) {
    const { perReason } = await read(
      ctx,
      TABLE.dropTopReasons(
        q,
        ranked.map((r) => r.node)
      )
    );
    for (const s of perReason) {
      reasons.set(s.labels.node, [
        ...(reasons.get(s.labels.node) ?? []),
        { reason: s.labels.reason, rate: mean(s.values) },
      ]);
    }
  }
  const top = ranked.map(({ node, rate }) => {
    let topReason = '';
    let topRate = -Infinity;
    let total = 0;
    for (const r of reasons.get(node) ?? []) {
      total += r.rate;
      if (r.rate > topRate) {
        [topReason, topRate] = [r.reason, r.rate];
      }
    }
    return { node, rate, dropped: Math.round(rate * rangeSeconds), topReason, share: total > 0 ? topRate / total : 0 };
  });
  const what = unit === 'bytes' ? 'bytes' : 'packets';
  return [
    tableFrame(q.refId, 'Top nodes by drops', [
      { name: 'Node', type: 'string', values: top.map((r) => r.node) },
      {
        name: 'Drop rate',
        type: 'number',
        values: top.map((r) => r.rate),
        config: { unit: grafanaUnit(q), decimals: 2, description: `Mean ${what} dropped per second over the range.` },
      },
      {
        name: `Dropped ${what}`,
        type: 'number',
        values: top.map((r) => r.dropped),
        config: { unit: unit === 'bytes' ? 'decbytes' : 'short', description: 'Approximate total over the range.' },
      },
      { name: 'Top reason', type: 'string', values: top.map((r) => r.topReason) },
      {
        name: 'Top reason share',
        type: 'number',
        values: top.map((r) => r.share),
        config: { unit: 'percentunit', decimals: 0, min: 0, max: 1 },
      },
    ]),
  ];
}

/** Mean of the points that have a value (0 without any). */
function mean(values: Array<number | null>): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v !== null) {
      sum += v;
      n++;
    }
  }
  return n ? sum / n : 0;
}
