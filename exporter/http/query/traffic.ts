/** Query handlers about traffic: forwarded vs dropped packets, drops by reason, the nodes that drop most. */
import type { DataFrameJSON, ScopeQuery } from '../../../src/contract';
import { lookupDropReason } from '../../cilium/dropReasons';
import { gridEnd, instantGrid } from '../../history/grid';
import { emptyFrame, tableFrame } from './frames';
import { type QueryContext, type QueryHandler, displayName, read, seriesFrames } from './context';
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
  return all.length ? all : [emptyFrame(q.refId, 'No traffic data in this range yet (rates need two scrapes of an agent).')];
};

export const dropsHandler: QueryHandler = (q, ctx) => (q.view === 'topNodes' ? topNodes(q, ctx) : dropRates(q, ctx));

async function dropRates(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const { drops } = await read(ctx, TABLE.dropRates(q));
  const frames = seriesFrames(ctx, q.refId, drops, (l) => {
    const info = lookupDropReason(l.reason);
    return {
      displayNameFromDS: `${l.node ? l.node + ' ' : ''}${l.reason} (${l.direction})`,
      unit: grafanaUnit(q),
      description: info ? `${info.meaning} Usual causes: ${info.commonCauses}` : `Drops reported by the agent with reason "${l.reason}".`,
    };
  });
  return frames.length ? frames : [emptyFrame(q.refId, 'No drops in this range for the selected nodes, directions and reasons.')];
}

/** The nodes that dropped most over the whole range: the counters' increase over it, at its end. */
async function topNodes(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const unit = unitOf(q);
  const rangeMs = Math.max(1, ctx.grid.to - ctx.grid.from);
  const { increase } = await read(ctx, TABLE.dropTopNodes(q, rangeMs), instantGrid(gridEnd(ctx.grid), ctx.grid.intervalMs, ctx.grid.step));
  const byNode = new Map<string, Map<string, number>>();
  for (const s of increase) {
    const v = s.values[0];
    if (v !== null) {
      const reasons = byNode.get(s.labels.node) ?? new Map<string, number>();
      reasons.set(s.labels.reason, v);
      byNode.set(s.labels.node, reasons);
    }
  }
  const rows = [...byNode.entries()].map(([node, reasons]) => {
    let total = 0;
    let topReason = '';
    let topCount = -Infinity;
    for (const [reason, count] of reasons) {
      total += count;
      if (count > topCount) {
        [topReason, topCount] = [reason, count];
      }
    }
    return { node, rate: total / (rangeMs / 1000), dropped: Math.round(total), topReason, share: total > 0 ? topCount / total : 0 };
  });
  rows.sort((a, b) => b.rate - a.rate || (a.node < b.node ? -1 : 1));
  const top = rows.slice(0, q.limit ?? 10);
  const what = unit === 'bytes' ? 'bytes' : 'packets';
  return [
    tableFrame(q.refId, 'Top nodes by drops', [
      { name: 'Node', type: 'string', values: top.map((r) => r.node) },
      { name: 'Drop rate', type: 'number', values: top.map((r) => r.rate), config: { unit: grafanaUnit(q), decimals: 2, description: `Mean ${what} dropped per second over the range.` } },
      { name: `Dropped ${what}`, type: 'number', values: top.map((r) => r.dropped), config: { unit: unit === 'bytes' ? 'decbytes' : 'short', description: 'Approximate total over the range.' } },
      { name: 'Top reason', type: 'string', values: top.map((r) => r.topReason) },
      { name: 'Top reason share', type: 'number', values: top.map((r) => r.share), config: { unit: 'percentunit', decimals: 0, min: 0, max: 1 } },
    ]),
  ];
}
